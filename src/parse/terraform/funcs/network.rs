//! IP network and type functions of Terraform 1.x (cidrhost, cidrnetmask, cidrsubnet, cidrsubnets, tobool, sensitive/nonsensitive).
//!
//! Each function works on evaluated arguments like those of `funcs.rs`:
//! a value, `Fail::Unknown` when an argument is not known, `Fail::Error`
//! when Terraform would reject the call. Expected values come from
//! `terraform console` (Terraform 1.x).
//!
//! The CIDR functions follow Terraform's implementation (Go's `net` parser
//! of Go 1.16, which accepts leading zeros, and `go-cidr` 1.1): addresses
//! are integers of 32 or 128 bits. Where that implementation misbehaves —
//! an IPv4-mapped IPv6 network (`::ffff:10.0.0.0/104`) in `cidrhost` and
//! `cidrsubnets`, negative `newbits` or `netnum` in `cidrsubnet`, numbers
//! past 2^63 that overflow its `int64` check — the call is not evaluated
//! (unknown) rather than guessed. Not here: `type` (console only),
//! `issensitive` (a variable or attribute may be sensitive: the values here
//! do not say).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Fail, R, arity, computed, known, text};
use crate::document::Span;
use crate::parse::terraform::value::{V, Val};

/// The function `name` if this module has it, else `None`.
pub(super) fn call(name: &str, args: &[Val], span: Span) -> Option<R> {
    let v = match name {
        "cidrhost" => cidrhost(args),
        "cidrnetmask" => cidrnetmask(args),
        "cidrsubnet" => cidrsubnet(args),
        "cidrsubnets" => cidrsubnets(args, span),
        "tobool" => tobool(args),
        "sensitive" | "nonsensitive" => return Some(unmarked(args)),
        _ => return None,
    };
    Some(v.and_then(|v| computed(v, span, args)))
}

/// An IP network: its (masked) address as an integer of `bits` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Net {
    addr: u128,
    prefix: u32,
    bits: u32,
}

impl Net {
    /// Whether Go sees the address as IPv4 (`::ffff:a.b.c.d`): it prints
    /// it, and computes with it, as IPv4 in places.
    fn mapped(&self) -> bool {
        mapped(self.addr, self.bits)
    }

    fn mask(&self, prefix: u32) -> u128 {
        full(self.bits) & !host_mask(prefix, self.bits)
    }
}

fn full(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// The host part's bits of a `prefix`-bit network.
fn host_mask(prefix: u32, bits: u32) -> u128 {
    full(bits).checked_shr(prefix).unwrap_or(0)
}

fn mapped(addr: u128, bits: u32) -> bool {
    bits == 128 && addr >> 32 == 0xffff
}

/// Go's `dtoi`: decimal digits (leading zeros allowed), below 0xFFFFFF.
fn dtoi(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: u32 = 0;
    for b in s.bytes() {
        n = n * 10 + u32::from(b - b'0');
        if n >= 0xFF_FFFF {
            return None;
        }
    }
    Some(n)
}

/// IPv4 as Go 1.16 parsed it: four decimal fields, leading zeros allowed
/// (`010.0.0.1` is 10.0.0.1, not octal).
fn parse_v4(s: &str) -> Option<u32> {
    let fields: Vec<&str> = s.split('.').collect();
    if fields.len() != 4 {
        return None;
    }
    let mut addr = 0u32;
    for f in fields {
        let n = dtoi(f).filter(|n| *n <= 255)?;
        addr = addr << 8 | n;
    }
    Some(addr)
}

/// `ipaddr.ParseCIDR`: `address/prefix`, the address masked to the prefix.
fn parse_cidr(s: &str) -> Result<Net, Fail> {
    let (addr, prefix) = s.split_once('/').ok_or(Fail::Error)?;
    let (addr, bits) = match parse_v4(addr) {
        Some(a) => (u128::from(a), 32),
        None => match addr.parse::<Ipv6Addr>() {
            Ok(a) => (u128::from(a), 128),
            // Go accepts leading zeros in an embedded IPv4 part, Rust not
            Err(_) if addr.contains('.') && addr.contains(':') => return Err(Fail::Unknown),
            Err(_) => return Err(Fail::Error),
        },
    };
    let prefix = dtoi(prefix).filter(|p| *p <= bits).ok_or(Fail::Error)?;
    let mut net = Net { addr, prefix, bits };
    net.addr &= net.mask(prefix);
    Ok(net)
}

/// An address as Go prints it: IPv4-mapped IPv6 addresses as IPv4.
fn show_addr(addr: u128, bits: u32) -> String {
    if bits == 32 || mapped(addr, bits) {
        Ipv4Addr::from(addr as u32).to_string()
    } else {
        Ipv6Addr::from(addr).to_string()
    }
}

/// A network as Go's `IPNet.String` prints it: an IPv4-mapped one as IPv4
/// with the prefix counted from bit 96 (0 when shorter).
fn show_net(addr: u128, prefix: u32, bits: u32) -> String {
    if mapped(addr, bits) {
        format!("{}/{}", show_addr(addr, bits), prefix.saturating_sub(96))
    } else {
        format!("{}/{}", show_addr(addr, bits), prefix)
    }
}

/// A whole-number argument (numbers and numeric strings), as Terraform's
/// conversion reads it; a fraction is an error, a float too large to be
/// exact here is unknown.
fn whole(v: &Val) -> Result<i128, Fail> {
    let f = match &v.v {
        V::Num(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => return Ok(i128::from(i)),
            (_, Some(u)) => return Ok(i128::from(u)),
            _ => n.as_f64().ok_or(Fail::Error)?,
        },
        V::Str(s) => match s.parse::<i128>() {
            Ok(i) => return Ok(i),
            Err(_) => s.parse::<f64>().map_err(|_| Fail::Error)?,
        },
        V::Unknown(_) => return Err(Fail::Unknown),
        _ => return Err(Fail::Error),
    };
    if !f.is_finite() || f.fract() != 0.0 {
        Err(Fail::Error)
    } else if f.abs() < 9_007_199_254_740_992.0 {
        Ok(f as i128)
    } else {
        Err(Fail::Unknown)
    }
}

/// A whole number Terraform converts to a Go `int` (64 bits).
fn int64(v: &Val) -> Result<i128, Fail> {
    let n = whole(v)?;
    if i64::try_from(n).is_ok() {
        Ok(n)
    } else {
        Err(Fail::Error)
    }
}

const TWO_63: i128 = 1 << 63;

/// `cidrhost(prefix, hostnum)`: a negative number counts back from the
/// last address (-1 is the last).
fn cidrhost(args: &[Val]) -> Result<V, Fail> {
    arity(args, 2)?;
    let net = parse_cidr(&text(&args[0])?)?;
    let num = whole(&args[1])?;
    if net.mapped() {
        // go-cidr inserts the number at the IPv4 offset of the 128-bit
        // address: a value no one means
        return Err(Fail::Unknown);
    }
    let max = host_mask(net.prefix, net.bits);
    let host = if num >= 0 {
        match u128::try_from(num) {
            Ok(n) if n <= max => n,
            // its int64 check overflows: a wrong address or a crash
            _ if num >= TWO_63 => return Err(Fail::Unknown),
            _ => return Err(Fail::Error),
        }
    } else {
        let back = u128::try_from(-(num + 1)).map_err(|_| Fail::Error)?;
        if back > max {
            return Err(Fail::Error);
        }
        max - back
    };
    Ok(V::Str(show_addr(net.addr | host, net.bits)))
}

/// `cidrnetmask(prefix)`: IPv4 only, though an IPv4-mapped IPv6 prefix
/// gives its 128-bit mask.
fn cidrnetmask(args: &[Val]) -> Result<V, Fail> {
    arity(args, 1)?;
    let net = parse_cidr(&text(&args[0])?)?;
    if net.bits == 128 && !net.mapped() {
        return Err(Fail::Error);
    }
    Ok(V::Str(show_addr(net.mask(net.prefix), net.bits)))
}

/// `cidrsubnet(prefix, newbits, netnum)`.
fn cidrsubnet(args: &[Val]) -> Result<V, Fail> {
    arity(args, 3)?;
    let newbits = int64(&args[1])?;
    let netnum = whole(&args[2])?;
    let net = parse_cidr(&text(&args[0])?)?;
    // go-cidr computes odd values for these (a shorter prefix, a
    // two's-complement address) or compares only the low 64 bits
    if newbits < 0 || !(0..1 << 64).contains(&netnum) {
        return Err(Fail::Unknown);
    }
    let prefix = i128::from(net.prefix) + newbits;
    if prefix > i128::from(net.bits) {
        return Err(Fail::Error);
    }
    if newbits < 64 && netnum >= 1 << newbits {
        return Err(Fail::Error);
    }
    let prefix = prefix as u32;
    let shift = net.bits - prefix;
    let addr = net.addr | (netnum as u128).checked_shl(shift).unwrap_or(0);
    Ok(V::Str(show_net(addr, prefix, net.bits)))
}

/// `cidrsubnets(prefix, newbits...)`: consecutive subnets, each aligned
/// after the previous one, all inside the prefix; each extends it by 1 to
/// 32 bits.
fn cidrsubnets(args: &[Val], span: Span) -> Result<V, Fail> {
    known(args)?;
    let (first, lengths) = args.split_first().ok_or(Fail::Error)?;
    let net = parse_cidr(&text(first)?)?;
    if lengths.is_empty() {
        return Ok(V::List(Vec::new()));
    }
    if net.mapped() {
        // go-cidr mixes 4- and 16-byte forms of the address here
        return Err(Fail::Unknown);
    }
    let mut out = Vec::with_capacity(lengths.len());
    let mut current: Option<(u128, u32)> = None;
    for l in lengths {
        let bits = int64(l)?;
        if !(1..=32).contains(&bits) || i128::from(net.prefix) + bits > i128::from(net.bits) {
            return Err(Fail::Error);
        }
        let length = net.prefix + bits as u32;
        // the subnet of the first length just before the prefix
        let (addr, prefix) =
            current.unwrap_or_else(|| (net.addr.wrapping_sub(1) & net.mask(length), length));
        let last = addr | host_mask(prefix, net.bits);
        let block_last = (last & net.mask(length)) | host_mask(length, net.bits);
        if block_last == full(net.bits) {
            return Err(Fail::Error);
        }
        let next = block_last + 1;
        // Go's `Contains` also fails for an IPv4-mapped address in an IPv6 prefix
        if next & net.mask(net.prefix) != net.addr || mapped(next, net.bits) {
            return Err(Fail::Error);
        }
        current = Some((next, length));
        out.push(Val::str(show_net(next, length, net.bits), span));
    }
    Ok(V::List(out))
}

/// `tobool(v)`: a bool, `"true"`/`"1"` or `"false"`/`"0"`; null stays null.
fn tobool(args: &[Val]) -> Result<V, Fail> {
    arity(args, 1)?;
    match &args[0].v {
        V::Null => Ok(V::Null),
        V::Bool(b) => Ok(V::Bool(*b)),
        V::Str(_) | V::Json(_) => match text(&args[0])?.as_str() {
            "true" | "1" => Ok(V::Bool(true)),
            "false" | "0" => Ok(V::Bool(false)),
            _ => Err(Fail::Error),
        },
        _ => Err(Fail::Error),
    }
}

/// `sensitive(v)` and `nonsensitive(v)`: values here carry no sensitivity
/// mark, so both give the value itself (Terraform 1.x accepts
/// `nonsensitive` of a value that is not sensitive).
fn unmarked(args: &[Val]) -> R {
    arity(args, 1)?;
    Ok(args[0].clone())
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use serde_json::{Value, json};

    use super::super::testing::{ok_in, run_in, s, unknown};
    use super::*;
    use crate::document::SourceFile;

    fn n(x: i64) -> Val {
        Val::new(V::Num(x.into()), Span::default())
    }

    fn run(name: &str, args: &[Val]) -> Result<Value, Fail> {
        run_in(call, name, args)
    }

    fn ok(name: &str, args: &[Val]) -> Value {
        ok_in(call, name, args)
    }

    #[test]
    fn cidrsubnet_matches_terraform() {
        let cases: &[(&str, i64, i64, &str)] = &[
            ("10.0.0.0/16", 8, 2, "10.0.2.0/24"),
            ("10.1.2.0/24", 4, 15, "10.1.2.240/28"),
            ("10.1.2.0/24", 0, 0, "10.1.2.0/24"),
            ("10.1.2.5/24", 2, 1, "10.1.2.64/26"),
            (
                "fd00:fd12:3456:7890::/56",
                16,
                162,
                "fd00:fd12:3456:7800:a200::/72",
            ),
            ("fd00::/8", 120, 5, "fd00::5/128"),
            ("010.0.0.0/16", 8, 1, "10.0.1.0/24"),
            ("10.0.0.0/016", 8, 1, "10.0.1.0/24"),
            ("::ffff:10.0.0.0/112", 8, 1, "10.0.1.0/24"),
            ("::1.2.3.0/120", 4, 1, "::102:310/124"),
            ("::/64", 32, 65535, "0.0.0.0/0"),
            ("::fffe:0:0/95", 1, 1, "0.0.0.0/0"),
        ];
        for (prefix, newbits, netnum, want) in cases {
            assert_eq!(
                ok("cidrsubnet", &[s(prefix), n(*newbits), n(*netnum)]),
                json!(want),
                "{prefix} {newbits} {netnum}"
            );
        }
        assert_eq!(
            ok("cidrsubnet", &[s("10.0.0.0/16"), s("8"), s("2")]),
            json!("10.0.2.0/24")
        );
    }

    #[test]
    fn cidrsubnet_failures() {
        let err = |p: &str, a: Val, b: Val| run("cidrsubnet", &[s(p), a, b]);
        // prefix extension of 4 does not accommodate a subnet numbered 16
        assert_eq!(err("10.1.2.0/24", n(4), n(16)), Err(Fail::Error));
        // insufficient address space to extend prefix of 24 by 9
        assert_eq!(err("10.1.2.0/24", n(9), n(0)), Err(Fail::Error));
        assert_eq!(err("fd00::/8", n(121), n(5)), Err(Fail::Error));
        assert_eq!(err("10.0.0.0", n(8), n(1)), Err(Fail::Error));
        assert_eq!(err("10.0.0.0/33", n(8), n(1)), Err(Fail::Error));
        let half = Val::new(
            V::Num(serde_json::Number::from_f64(1.5).unwrap()),
            Span::default(),
        );
        assert_eq!(err("10.0.0.0/16", n(8), half), Err(Fail::Error));
        // Terraform gives 10.0.0.0/15 and 0.0.1.0/24: not evaluated here
        assert_eq!(err("10.0.0.0/16", n(-1), n(0)), Err(Fail::Unknown));
        assert_eq!(err("10.0.0.0/16", n(8), n(-1)), Err(Fail::Unknown));
        assert_eq!(err("10.0.0.0/16", unknown(), n(1)), Err(Fail::Unknown));
        assert_eq!(
            run("cidrsubnet", &[s("10.0.0.0/16"), n(8)]),
            Err(Fail::Error)
        );
    }

    #[test]
    fn cidrhost_matches_terraform() {
        let cases: &[(&str, i64, &str)] = &[
            ("10.12.112.0/20", 16, "10.12.112.16"),
            ("10.12.112.0/20", 268, "10.12.113.12"),
            ("10.12.112.0/20", -1, "10.12.127.255"),
            ("10.12.112.0/20", -4096, "10.12.112.0"),
            ("10.12.112.0/20", 4095, "10.12.127.255"),
            ("10.0.0.5/8", 1, "10.0.0.1"),
            (
                "fd00:fd12:3456:7890:00a2::/72",
                34,
                "fd00:fd12:3456:7890::22",
            ),
            ("fd00::/8", -1, "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("::/0", -1, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("10.0.0.0/32", 0, "10.0.0.0"),
            ("10.0.0.0/0", 4294967295, "255.255.255.255"),
            ("1:0:0:1:0:0:0:1/128", 0, "1:0:0:1::1"),
            ("1:0:1:0:0:1:0:0/128", 0, "1:0:1::1:0:0"),
            ("FD00::/8", 0, "fd00::"),
            ("::/64", 281470681743361, "0.0.0.1"),
        ];
        for (prefix, num, want) in cases {
            assert_eq!(
                ok("cidrhost", &[s(prefix), n(*num)]),
                json!(want),
                "{prefix} {num}"
            );
        }
        assert_eq!(
            ok("cidrhost", &[s("10.0.0.0/8"), s("1e1")]),
            json!("10.0.0.10")
        );
        // past 2^63 but within the prefix: Terraform's check still passes
        let big = Val::str("170141183460469231731687303715884105727", Span::default());
        assert_eq!(
            ok("cidrhost", &[s("::/0"), big]),
            json!("7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        );
    }

    #[test]
    fn cidrhost_failures() {
        let err = |p: &str, a: Val| run("cidrhost", &[s(p), a]);
        // prefix of 20 does not accommodate a host numbered 4096 / -4097
        assert_eq!(err("10.12.112.0/20", n(4096)), Err(Fail::Error));
        assert_eq!(err("10.12.112.0/20", n(-4097)), Err(Fail::Error));
        assert_eq!(err("10.0.0.0/32", n(1)), Err(Fail::Error));
        assert_eq!(err("10.0.0.0/8", s(" 8")), Err(Fail::Error));
        assert_eq!(
            err("10.0.0.0/8", Val::new(V::Bool(true), Span::default())),
            Err(Fail::Error)
        );
        assert_eq!(err("10.0.0.5/8 ", n(1)), Err(Fail::Error));
        assert_eq!(err("10.0.0.5/+8", n(1)), Err(Fail::Error));
        assert_eq!(err("1.2.3.4/", n(1)), Err(Fail::Error));
        assert_eq!(err("1.2.3/24", n(1)), Err(Fail::Error));
        // Terraform panics past 2^63; and gives 0:5::ffff:a00:0 here
        assert_eq!(
            err("10.0.0.0/8", s("9223372036854775808")),
            Err(Fail::Unknown)
        );
        assert_eq!(err("::ffff:10.0.0.0/112", n(5)), Err(Fail::Unknown));
        assert_eq!(err("10.0.0.0/8", unknown()), Err(Fail::Unknown));
        assert_eq!(run("cidrhost", &[unknown(), n(1)]), Err(Fail::Unknown));
    }

    #[test]
    fn cidrnetmask_matches_terraform() {
        assert_eq!(
            ok("cidrnetmask", &[s("172.16.0.0/12")]),
            json!("255.240.0.0")
        );
        assert_eq!(ok("cidrnetmask", &[s("0.0.0.0/0")]), json!("0.0.0.0"));
        assert_eq!(
            ok("cidrnetmask", &[s("1.2.3.4/32")]),
            json!("255.255.255.255")
        );
        assert_eq!(
            ok("cidrnetmask", &[s("::ffff:10.0.0.0/104")]),
            json!("ffff:ffff:ffff:ffff:ffff:ffff:ff00:0")
        );
        // IPv6 addresses cannot have a netmask
        assert_eq!(run("cidrnetmask", &[s("fd00::/8")]), Err(Fail::Error));
        assert_eq!(run("cidrnetmask", &[s("10.0.0.0")]), Err(Fail::Error));
        assert_eq!(run("cidrnetmask", &[unknown()]), Err(Fail::Unknown));
        assert_eq!(run("cidrnetmask", &[]), Err(Fail::Error));
    }

    #[test]
    fn cidrsubnets_matches_terraform() {
        let subnets = |p: &str, bits: &[i64]| {
            let mut args = vec![s(p)];
            args.extend(bits.iter().map(|b| n(*b)));
            run("cidrsubnets", &args)
        };
        assert_eq!(
            subnets("10.1.0.0/16", &[4, 4, 8, 4]),
            Ok(json!([
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ]))
        );
        assert_eq!(
            subnets("fd00:fd12:3456:7890::/56", &[16, 16, 16, 32]),
            Ok(json!([
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88"
            ]))
        );
        assert_eq!(subnets("10.1.0.0/16", &[]), Ok(json!([])));
        assert_eq!(
            subnets("10.1.0.0/16", &[8, 4]),
            Ok(json!(["10.1.0.0/24", "10.1.16.0/20"]))
        );
        assert_eq!(
            subnets("10.1.0.0/16", &[2, 4, 2]),
            Ok(json!(["10.1.0.0/18", "10.1.64.0/20", "10.1.128.0/18"]))
        );
        assert_eq!(
            subnets("10.0.0.0/8", &[1, 2, 2]),
            Ok(json!(["10.0.0.0/9", "10.128.0.0/10", "10.192.0.0/10"]))
        );
        assert_eq!(
            subnets("fd00::/8", &[32, 32]),
            Ok(json!(["fd00::/40", "fd00:0:100::/40"]))
        );
        for bad in [
            &[16, 17][..],
            &[1, 1, 1],
            &[0],
            &[-1],
            &[1, 0],
            &[33],
            &[2, 1, 2],
        ] {
            assert_eq!(subnets("10.1.0.0/16", bad), Err(Fail::Error), "{bad:?}");
        }
        assert_eq!(subnets("0.0.0.0/0", &[1, 1]), Err(Fail::Error));
        assert_eq!(subnets("::/0", &[1, 1]), Err(Fail::Error));
        assert_eq!(subnets("::fffe:0:0/95", &[1, 1]), Err(Fail::Error));
        assert_eq!(
            run("cidrsubnets", &[s("10.1.0.0/16"), n(4), unknown()]),
            Err(Fail::Unknown)
        );
    }

    #[test]
    fn tobool_and_sensitivity() {
        let b = |x: bool| Val::new(V::Bool(x), Span::default());
        let null = Val::new(V::Null, Span::default());
        assert_eq!(ok("tobool", &[b(true)]), json!(true));
        assert_eq!(ok("tobool", &[s("false")]), json!(false));
        assert_eq!(ok("tobool", &[s("1")]), json!(true));
        assert_eq!(ok("tobool", &[s("0")]), json!(false));
        assert_eq!(ok("tobool", std::slice::from_ref(&null)), json!(null));
        assert_eq!(run("tobool", &[s("True")]), Err(Fail::Error));
        assert_eq!(run("tobool", &[s("")]), Err(Fail::Error));
        assert_eq!(run("tobool", &[n(1)]), Err(Fail::Error));
        assert_eq!(run("tobool", &[unknown()]), Err(Fail::Unknown));
        assert_eq!(ok("sensitive", &[s("x")]), json!("x"));
        assert_eq!(ok("nonsensitive", &[n(1)]), json!(1));
        assert_eq!(ok("nonsensitive", &[null]), json!(null));
        assert_eq!(run("nonsensitive", &[unknown()]), Err(Fail::Unknown));
        assert_eq!(run("sensitive", &[]), Err(Fail::Error));
        assert!(call("issensitive", &[s("x")], Span::default()).is_none());
    }

    /// A subnet computed with `cidrsubnet` reaches the document.
    #[test]
    fn cidrsubnet_reaches_the_document() {
        let text = "locals {\n  net = cidrsubnet(\"10.0.0.0/16\", 8, 2)\n}\n\
                    resource \"aws_subnet\" \"a\" {\n  cidr_block = local.net\n  \
                    host = cidrhost(local.net, 5)\n}\n";
        let file = Arc::new(SourceFile::new("m/main.tf", text.to_string()));
        let parsed = crate::parse::terraform_module(Path::new("m"), &[file], &Default::default());
        let input = serde_json::to_string(&parsed.documents[0].input).unwrap();
        assert!(input.contains("\"cidr_block\":\"10.0.2.0/24\""), "{input}");
        assert!(input.contains("\"host\":\"10.0.2.5\""), "{input}");
    }
}
