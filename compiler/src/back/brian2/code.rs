//! Kernel statements ([`lemsc_runtime::program::Stmt`]) printed as Brian2 abstract code.
//!
//! Brian2's code has assignments only: no `if`. A statement under a condition becomes
//! `x = lemsc_ifelse(c, value, x)`, where `c` was computed once, before the branch's first
//! assignment, into a temporary (`qcN`), exactly as the kernel tests it once. `lemsc_ifelse`
//! is a function of the script (C++ `c != 0 ? a : b`): both values are computed but only one
//! is kept, so a 0/0 in the branch not taken is a NaN nobody sees, never an exception.
//!
//! Comparisons and logic give 1 or 0 as in the kernels (`int(a > b)`); each `random(x)` is
//! drawn into a temporary of its own (`qrN = rand()`), because Brian2 allows one random call
//! per statement.

use lemsc_runtime::program::{BinOp, Expr, Func, Reduce, Stmt};

/// How the names of one kernel's values are printed where the code runs.
pub trait Names {
    /// Slot `slot` of the instance itself.
    fn local(&self, slot: u32) -> String;
    /// Link entry `entry` (a single value of another instance).
    fn link(&self, entry: u32) -> Result<String, String>;
    /// Link entry `entry` used as a reduction (sum or product over a list).
    fn reduce(&self, op: Reduce, entry: u32) -> Result<String, String>;
    /// The time `t` (the new time of the step).
    fn time(&self) -> String;
    /// The flag that marks out-port `port` as fired.
    fn event_flag(&self, port: u32) -> String;
}

/// Prints statements as lines of Brian2 code; temporaries are numbered across one printer.
pub struct Printer<'n> {
    names: &'n dyn Names,
    dt: f64,
    lines: Vec<String>,
    temps: usize,
}

impl<'n> Printer<'n> {
    pub fn new(names: &'n dyn Names, dt: f64) -> Printer<'n> {
        Printer {
            names,
            dt,
            lines: Vec::new(),
            temps: 0,
        }
    }

    /// Appends a line as written (the time update, flag resets).
    pub fn raw(&mut self, line: String) {
        self.lines.push(line);
    }

    /// Appends the code of `stmts`, run when `cond` (a temporary's name) holds, or always.
    pub fn stmts(&mut self, stmts: &[Stmt], cond: Option<&str>) -> Result<(), String> {
        for stmt in stmts {
            self.stmt(stmt, cond)?;
        }
        Ok(())
    }

    pub fn finish(self) -> Vec<String> {
        self.lines
    }

    fn temp(&mut self, kind: char) -> String {
        self.temps += 1;
        format!("q{kind}{}", self.temps)
    }

    fn assign(&mut self, target: String, value: String, cond: Option<&str>) {
        let line = match cond {
            None => format!("{target} = {value}"),
            Some(c) => format!("{target} = lemsc_ifelse({c}, {value}, {target})"),
        };
        self.lines.push(line);
    }

    /// A temporary holding `test` (non-zero = true) within `cond`.
    fn condition(&mut self, test: String, cond: Option<&str>) -> String {
        let name = self.temp('c');
        let value = match cond {
            None => test,
            Some(c) => format!("lemsc_ifelse({c}, {test}, 0)"),
        };
        self.lines.push(format!("{name} = {value}"));
        name
    }

    fn stmt(&mut self, stmt: &Stmt, cond: Option<&str>) -> Result<(), String> {
        match stmt {
            Stmt::Set { slot, value } => {
                let value = self.expr(value)?;
                self.assign(self.names.local(*slot), value, cond);
            }
            Stmt::If { test, then } => {
                let test = self.expr(test)?;
                let c = self.condition(test, cond);
                self.stmts(then, Some(&c))?;
            }
            Stmt::Emit { port } => {
                self.assign(self.names.event_flag(*port), "1".into(), cond);
            }
            Stmt::Switch { slot, arms } => {
                // The arm is chosen once, by the value before any arm runs.
                let chosen = self.temp('s');
                let line = format!("{chosen} = {}", self.names.local(*slot));
                self.lines.push(line);
                for (k, arm) in arms.iter().enumerate() {
                    if arm.is_empty() {
                        continue;
                    }
                    let c = self.condition(format!("int({chosen} == {k})"), cond);
                    self.stmts(arm, Some(&c))?;
                }
            }
        }
        Ok(())
    }

    /// The text of `e`; random draws it contains are added as lines before it.
    pub fn expr(&mut self, e: &Expr) -> Result<String, String> {
        Ok(match e {
            Expr::Const(x) => number(*x),
            Expr::Local(slot) => self.names.local(*slot),
            Expr::Link(entry) => self.names.link(*entry)?,
            Expr::Reduce(op, entry) => self.names.reduce(*op, *entry)?,
            Expr::Time => self.names.time(),
            Expr::Step => number(self.dt),
            Expr::Neg(x) => format!("(-{})", self.expr(x)?),
            Expr::Not(x) => format!("int({} == 0)", self.expr(x)?),
            Expr::Binary(op, l, r) => {
                let (l, r) = (self.expr(l)?, self.expr(r)?);
                match op {
                    BinOp::Add => format!("({l} + {r})"),
                    BinOp::Sub => format!("({l} - {r})"),
                    BinOp::Mul => format!("({l} * {r})"),
                    BinOp::Div => format!("({l} / {r})"),
                    BinOp::Pow => format!("({l} ** {r})"),
                    BinOp::Gt => format!("int({l} > {r})"),
                    BinOp::Lt => format!("int({l} < {r})"),
                    BinOp::Ge => format!("int({l} >= {r})"),
                    BinOp::Le => format!("int({l} <= {r})"),
                    BinOp::Eq => format!("int({l} == {r})"),
                    BinOp::Ne => format!("int({l} != {r})"),
                    BinOp::And => format!("int(({l} != 0) and ({r} != 0))"),
                    BinOp::Or => format!("int(({l} != 0) or ({r} != 0))"),
                }
            }
            Expr::Call(f, x) => {
                let x = self.expr(x)?;
                match f {
                    Func::Exp => format!("exp({x})"),
                    Func::Ln => format!("log({x})"),
                    Func::Sqrt => format!("sqrt({x})"),
                    Func::Sin => format!("sin({x})"),
                    Func::Cos => format!("cos({x})"),
                    Func::Tan => format!("tan({x})"),
                    Func::Sinh => format!("sinh({x})"),
                    Func::Cosh => format!("cosh({x})"),
                    Func::Tanh => format!("tanh({x})"),
                    Func::Abs => format!("abs({x})"),
                    Func::Ceil => format!("ceil({x})"),
                    Func::Floor => format!("floor({x})"),
                    Func::H => format!("lemsc_heaviside({x})"),
                    Func::Factorial => format!("lemsc_factorial({x})"),
                }
            }
            Expr::Random(x) => {
                let scale = self.expr(x)?;
                let draw = self.temp('r');
                self.lines.push(format!("{draw} = rand()"));
                format!("({scale} * {draw})")
            }
        })
    }
}

/// A number as Python and C++ read it back to the same double; negative ones in
/// parentheses. Infinities and NaN are built from arithmetic, as neither language has a
/// literal that Brian2 passes through.
pub fn number(x: f64) -> String {
    if x.is_nan() {
        "(0.0 * 1e400)".to_string()
    } else if x.is_infinite() {
        if x > 0.0 {
            "1e400".to_string()
        } else {
            "(-1e400)".to_string()
        }
    } else {
        let text = format!("{x:?}");
        if x < 0.0 || text.starts_with('-') {
            format!("({text})")
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Plain;
    impl Names for Plain {
        fn local(&self, slot: u32) -> String {
            format!("s{slot}")
        }
        fn link(&self, entry: u32) -> Result<String, String> {
            Ok(format!("lk{entry}"))
        }
        fn reduce(&self, _op: Reduce, entry: u32) -> Result<String, String> {
            Ok(format!("rd{entry}"))
        }
        fn time(&self) -> String {
            "tl".into()
        }
        fn event_flag(&self, port: u32) -> String {
            format!("ev{port}")
        }
    }

    #[test]
    fn conditions_are_computed_once_and_assignments_keep_the_old_value_otherwise() {
        let stmts = vec![Stmt::If {
            test: Expr::Binary(
                BinOp::Gt,
                Box::new(Expr::Local(0)),
                Box::new(Expr::Const(-0.05)),
            ),
            then: vec![
                Stmt::Set {
                    slot: 0,
                    value: Expr::Const(-0.07),
                },
                Stmt::Emit { port: 0 },
            ],
        }];
        let mut p = Printer::new(&Plain, 1e-5);
        p.stmts(&stmts, None).unwrap();
        assert_eq!(
            p.finish(),
            [
                "qc1 = int(s0 > (-0.05))",
                "s0 = lemsc_ifelse(qc1, (-0.07), s0)",
                "ev0 = lemsc_ifelse(qc1, 1, ev0)",
            ]
        );
    }

    #[test]
    fn each_random_draw_gets_a_statement_of_its_own() {
        let two = Expr::Binary(
            BinOp::Add,
            Box::new(Expr::Random(Box::new(Expr::Const(1.0)))),
            Box::new(Expr::Random(Box::new(Expr::Const(2.0)))),
        );
        let mut p = Printer::new(&Plain, 1e-5);
        p.stmts(
            &[Stmt::Set {
                slot: 3,
                value: two,
            }],
            None,
        )
        .unwrap();
        let lines = p.finish();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "qr1 = rand()");
        assert_eq!(lines[1], "qr2 = rand()");
        assert_eq!(lines[2], "s3 = ((1.0 * qr1) + (2.0 * qr2))");
    }

    #[test]
    fn numbers_read_back_exactly() {
        for x in [0.1, 1e-5, -0.065, 2.5e-300, 1.0 / 3.0] {
            let text = number(x);
            let parsed: f64 = text.trim_matches(|c| c == '(' || c == ')').parse().unwrap();
            assert_eq!(parsed.to_bits(), x.to_bits(), "{text}");
        }
    }
}
