//! The built-in rules on regorus's compiled VM (the RVM): the same
//! aggregate module the interpreter runs, compiled once per document kind to
//! bytecode, which evaluates a document 2–3× faster (BENCHMARKS.md).
//!
//! Only kinds whose rules are all built-in run here: the RVM is younger than
//! the interpreter and departs from it in places (it rejects `with`, and
//! makes a builtin error undefined instead of an error), so it is used where
//! a test shows it gives the interpreter's findings on every fixture
//! (`tests/vm.rs`). Anything the VM cannot do falls back to the interpreter:
//! a program that does not compile leaves its kind on the interpreter, and
//! a document the VM fails on is evaluated again by the interpreter, which
//! names the failing rule.
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
use regorus::rvm::vm::{ExecutionMode, ExecutionState, SuspendReason};
use regorus::utils::limits::ExecutionTimerConfig;

use super::extensions;

/// The VM counts instructions on top of the time limit; its default budget
/// (25,000) is below what one Terraform module can need, so the time limit
/// is what bounds a rule and this only stops a VM that runs away silently.
const MAX_INSTRUCTIONS: usize = u32::MAX as usize;

/// A kind's aggregate compiled to bytecode, shared by every worker.
#[derive(Clone)]
pub struct CompiledRules {
    program: Arc<Program>,
    entry: String,
    data: Value,
}

impl CompiledRules {
    /// Compiles `entry` (the aggregate's `findings`) of a prepared engine;
    /// `None` when the VM compiler does not support a construct the rules
    /// use (the kind then stays on the interpreter).
    pub fn compile(engine: &mut regorus::Engine, entry: &str, data: Value) -> Option<Self> {
        let entry_ref: regorus::Rc<str> = entry.into();
        let policy = engine.compile_with_entrypoint(&entry_ref).ok()?;
        let builtins: Vec<(&str, usize)> = extensions::signatures().collect();
        let program =
            Compiler::compile_from_policy_with_host_await(&policy, &[entry], &builtins).ok()?;
        Some(CompiledRules {
            program,
            entry: entry.to_string(),
            data,
        })
    }

    /// A VM of one worker thread, loaded with the program and the data
    /// rules read (`data.driftless.config`).
    pub fn machine(&self, time_limit: Duration) -> Option<Machine> {
        let mut vm = RegoVM::new();
        vm.load_program(self.program.clone());
        vm.set_data(self.data.clone()).ok()?;
        vm.set_execution_mode(ExecutionMode::Suspendable);
        vm.set_max_instructions(MAX_INSTRUCTIONS);
        vm.set_strict_builtin_errors(true);
        vm.set_execution_timer_config(Some(ExecutionTimerConfig {
            limit: time_limit,
            check_interval: NonZeroU32::new(64).expect("non-zero"),
        }));
        Some(Machine {
            vm,
            entry: self.entry.clone(),
        })
    }
}

/// One worker's VM.
pub struct Machine {
    vm: RegoVM,
    entry: String,
}

impl Machine {
    /// Evaluates the aggregate on one input, answering each builtin call
    /// the VM suspends on.
    pub fn evaluate(&mut self, input: Value) -> anyhow::Result<Value> {
        self.vm.set_input(input);
        let mut result = self.vm.execute_entry_point_by_name(&self.entry);
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
