//! The built-in rules on regorus's compiled VM (the RVM): the same
//! aggregate module the interpreter runs, compiled once per document kind to
//! bytecode, which evaluates a document 2–3× faster (BENCHMARKS.md).
//!
//! Every rule runs here, built-in or custom, so that the bound of every
//! rule is a count of work rather than the clock. The RVM is younger than
//! the interpreter and departs from it in places (it rejects `with`, and
//! makes a builtin error undefined instead of an error), so the built-in
//! rules are checked to give the interpreter's findings on every fixture
//! (`tests/vm.rs`), and anything the VM cannot do falls back to the
//! interpreter: a custom rule its compiler rejects runs there alone (and
//! is named in a warning), and a document the VM fails on is evaluated
//! again by the interpreter, which names the failing rule.
//!
//! The VM's bound is a budget of work, not of time: [`MAX_INSTRUCTIONS`]
//! per document, counted by the VM, so whether a document fits does not
//! depend on how busy the machine is. A document over budget is not handed
//! to the interpreter (whose only bound is the clock): each rule is run
//! again on its own with the same budget, and the rules that still exceed
//! it are reported by name. The VM's wall-clock limit is only a backstop
//! far above what the budget takes.
//!
//! The driftless builtins (`engine::extensions`) are not compiled in: the
//! VM suspends at each call and the host answers with the same function the
//! interpreter calls.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use regorus::Value;
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::RegoVM;
use regorus::rvm::program::Program;
use regorus::rvm::vm::{ExecutionMode, ExecutionState, SuspendReason, VmError};
use regorus::utils::limits::ExecutionTimerConfig;

use super::extensions;

/// Instructions one evaluation (a document, or one rule of it) may execute.
/// A Terraform module of 4,000 resources needs about 500,000 and evaluates
/// in 1.05 s in a debug build on a machine with a load of 9.5 (every
/// fixture and every file of a 600-file generated corpus fits in 10,000),
/// so 5 million is ten times that module, about 10 s in that debug build,
/// well below [`super::VM_TIME_BACKSTOP`].
pub const MAX_INSTRUCTIONS: usize = 5_000_000;

/// Instructions added to [`MAX_INSTRUCTIONS`] for each value (object,
/// array, scalar) of the input, so the budget grows with the document and a
/// legitimate 120,000-resource module is evaluated whole: rules do a bounded
/// amount of work per value (a 4,000-resource module needs about 12
/// instructions per value), so the bound stays linear in the input, whose
/// size is bounded by the file-size limit.
pub const INSTRUCTIONS_PER_VALUE: usize = 100;

/// The instruction budget for one evaluation of an input of `values` JSON
/// values: `base`, plus [`INSTRUCTIONS_PER_VALUE`] each when `per_value`.
pub fn budget_for(base: usize, per_value: bool, values: usize) -> usize {
    match per_value {
        true => base.saturating_add(values.saturating_mul(INSTRUCTIONS_PER_VALUE)),
        false => base,
    }
}

/// Whether an evaluation stopped because it used up its instruction budget
/// (deterministic) rather than failing for another reason.
pub fn over_budget(err: &anyhow::Error) -> bool {
    matches!(
        err.downcast_ref::<VmError>(),
        Some(VmError::InstructionLimitExceeded { .. })
    )
}

/// A kind's aggregate compiled to bytecode, shared by every worker.
#[derive(Clone)]
pub struct CompiledRules {
    program: Arc<Program>,
    entry: String,
    /// Each rule's `deny`, in rule order, for attributing an over-budget
    /// document to its rules; `None` for a rule left to the interpreter
    /// (one the VM compiler rejects).
    rule_entries: Vec<Option<String>>,
    data: Value,
    budget: usize,
}

impl CompiledRules {
    /// Compiles `entry` (the aggregate's `findings`) of a prepared engine
    /// and each rule's `deny` in `rule_entries`, with an instruction budget
    /// per evaluation; `None` when the VM compiler does not support a
    /// construct the rules use (the kind then stays on the interpreter).
    pub fn compile(
        engine: &mut regorus::Engine,
        entry: &str,
        rule_entries: Vec<Option<String>>,
        data: Value,
        budget: usize,
    ) -> Option<Self> {
        let entries: Vec<&str> = std::iter::once(entry)
            .chain(rule_entries.iter().flatten().map(String::as_str))
            .collect();
        let program = compile_program(engine, &entries).ok()?;
        Some(CompiledRules {
            program,
            entry: entry.to_string(),
            rule_entries,
            data,
            budget,
        })
    }

    /// A VM of one worker thread, loaded with the program and the data
    /// rules read (`data.driftless.config`).
    pub fn machine(&self, time_limit: Duration) -> Option<Machine> {
        let mut vm = RegoVM::new();
        vm.load_program(self.program.clone());
        vm.set_data(self.data.clone()).ok()?;
        vm.set_execution_mode(ExecutionMode::Suspendable);
        vm.set_max_instructions(self.budget);
        vm.set_strict_builtin_errors(true);
        vm.set_execution_timer_config(Some(ExecutionTimerConfig {
            limit: time_limit,
            check_interval: NonZeroU32::new(64).expect("non-zero"),
        }));
        Some(Machine {
            vm,
            entry: self.entry.clone(),
            rule_entries: self.rule_entries.clone(),
        })
    }
}

/// Why the VM compiler rejects `entry` (a rule's `deny`) on its own, or
/// `None` when it compiles: a kind's custom rules are tried one by one so
/// that only those it rejects are left to the interpreter.
pub fn rejection(engine: &mut regorus::Engine, entry: &str) -> Option<String> {
    compile_program(engine, &[entry]).err()
}

/// Compiles `entries` (the first is the one `compile_with_entrypoint`
/// starts from) with the driftless builtins as host calls.
fn compile_program(engine: &mut regorus::Engine, entries: &[&str]) -> Result<Arc<Program>, String> {
    let entry_ref: regorus::Rc<str> = entries.first().copied().unwrap_or_default().into();
    let policy = engine
        .compile_with_entrypoint(&entry_ref)
        .map_err(|e| e.to_string())?;
    let builtins: Vec<(&str, usize)> = extensions::signatures().collect();
    Compiler::compile_from_policy_with_host_await(&policy, entries, &builtins)
        .map_err(|e| e.to_string())
}

/// One worker's VM.
pub struct Machine {
    vm: RegoVM,
    entry: String,
    rule_entries: Vec<Option<String>>,
}

impl Machine {
    /// Sets the instruction budget of the next evaluations (it grows with
    /// the input: [`budget_for`]).
    pub fn set_budget(&mut self, instructions: usize) {
        self.vm.set_max_instructions(instructions);
    }

    /// Evaluates the aggregate on one input, answering each builtin call
    /// the VM suspends on.
    pub fn evaluate(&mut self, input: Value) -> anyhow::Result<Value> {
        let entry = self.entry.clone();
        self.run(&entry, input)
    }

    /// Evaluates rule `index`'s `deny` alone, with a budget of its own.
    pub fn evaluate_rule(&mut self, index: usize, input: Value) -> anyhow::Result<Value> {
        let entry = self
            .rule_entries
            .get(index)
            .cloned()
            .flatten()
            .ok_or_else(|| anyhow::anyhow!("no compiled rule {index}"))?;
        self.run(&entry, input)
    }

    fn run(&mut self, entry: &str, input: Value) -> anyhow::Result<Value> {
        self.vm.set_input(input);
        let mut result = self.vm.execute_entry_point_by_name(entry);
        while let ExecutionState::Suspended {
            reason:
                SuspendReason::HostAwait {
                    argument,
                    identifier,
                    ..
                },
            ..
        } = self.vm.execution_state()
        {
            if result.is_err() {
                break;
            }
            let name = identifier.as_string()?.to_string();
            let args = argument.as_array()?.to_vec();
            let answer = extensions::call(&name, args)?;
            result = self.vm.resume(Some(answer));
        }
        Ok(result?)
    }
}
