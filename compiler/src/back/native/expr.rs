//! The LLVM instructions of one operator or function of a kernel expression
//! (`kernel_emit` walks the expression and calls these).
//!
//! Values match `lemsc_runtime::math` bit for bit: conditions are 1.0 or 0.0, `H(0)` is 0.5,
//! `^` and the functions call the same libm routines Rust's `f64` methods call (through the
//! LLVM intrinsics Rust itself uses, or by their libm names), and no fast-math flag is set.

use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{Linkage, Module};
use inkwell::values::{BasicMetadataValueEnum, FloatValue, FunctionValue, IntValue};
use inkwell::FloatPredicate;

use crate::diag::{Diagnostic, Span};
use crate::front::expr::{BinOp, Func};

/// Where the code goes: the module being built and a builder positioned inside a function.
pub struct Codegen<'a, 'ctx> {
    pub context: &'ctx Context,
    pub module: &'a Module<'ctx>,
    pub builder: &'a Builder<'ctx>,
}

pub(crate) fn binary<'ctx>(
    cg: &Codegen<'_, 'ctx>,
    span: Span,
    op: BinOp,
    a: FloatValue<'ctx>,
    b: FloatValue<'ctx>,
) -> Result<FloatValue<'ctx>, Diagnostic> {
    let bld = cg.builder;
    let zero = cg.context.f64_type().const_zero();
    // Ordered predicates are false on NaN like Rust's `<`, `==`...; `!=` is unordered (true).
    let cmp = |p| compare(cg, span, p, a, b).and_then(|c| truth(cg, span, c));
    match op {
        BinOp::Add => llvm(span, bld.build_float_add(a, b, "add")),
        BinOp::Sub => llvm(span, bld.build_float_sub(a, b, "sub")),
        BinOp::Mul => llvm(span, bld.build_float_mul(a, b, "mul")),
        BinOp::Div => llvm(span, bld.build_float_div(a, b, "div")),
        BinOp::Pow => {
            // Not a builtin to the optimiser: it would turn pow(x, 2) into x*x, pow(x, -1)
            // into 1/x and pow(2, x) into exp2(x), none of which is always the same double
            // as libm's pow (x*x differs on exact halfway cases such as 134217727^2).
            let pow = intrinsic(cg, span, "llvm.pow")?;
            let site = llvm(span, bld.build_call(pow, &[a.into(), b.into()], "pow"))?;
            let nobuiltin = Attribute::get_named_enum_kind_id("nobuiltin");
            site.add_attribute(
                AttributeLoc::Function,
                cg.context.create_enum_attribute(nobuiltin, 0),
            );
            site.try_as_basic_value()
                .basic()
                .map(|v| v.into_float_value())
                .ok_or_else(|| Diagnostic::at(span, "an LLVM pow call returned no value"))
        }
        BinOp::Gt => cmp(FloatPredicate::OGT),
        BinOp::Lt => cmp(FloatPredicate::OLT),
        BinOp::Ge => cmp(FloatPredicate::OGE),
        BinOp::Le => cmp(FloatPredicate::OLE),
        BinOp::Eq => cmp(FloatPredicate::OEQ),
        BinOp::Ne => cmp(FloatPredicate::UNE),
        BinOp::And | BinOp::Or => {
            // Both sides are always evaluated, as in eval; NaN counts as true (NaN != 0).
            let a = compare(cg, span, FloatPredicate::UNE, a, zero)?;
            let b = compare(cg, span, FloatPredicate::UNE, b, zero)?;
            let both = if op == BinOp::And {
                llvm(span, bld.build_and(a, b, "and"))?
            } else {
                llvm(span, bld.build_or(a, b, "or"))?
            };
            truth(cg, span, both)
        }
    }
}

pub(crate) fn call<'ctx>(
    cg: &Codegen<'_, 'ctx>,
    span: Span,
    func: Func,
    x: FloatValue<'ctx>,
) -> Result<FloatValue<'ctx>, Diagnostic> {
    let f64t = cg.context.f64_type();
    // Rust's f64 methods lower to these intrinsics or libm functions, so the same code runs.
    let callee = match func {
        Func::Exp => intrinsic(cg, span, "llvm.exp")?,
        Func::Log | Func::Ln => intrinsic(cg, span, "llvm.log")?,
        Func::Sqrt => intrinsic(cg, span, "llvm.sqrt")?,
        Func::Sin => intrinsic(cg, span, "llvm.sin")?,
        Func::Cos => intrinsic(cg, span, "llvm.cos")?,
        Func::Abs => intrinsic(cg, span, "llvm.fabs")?,
        Func::Ceil => intrinsic(cg, span, "llvm.ceil")?,
        Func::Floor => intrinsic(cg, span, "llvm.floor")?,
        Func::Tan => libm(cg, "tan"),
        Func::Sinh => libm(cg, "sinh"),
        Func::Cosh => libm(cg, "cosh"),
        Func::Tanh => libm(cg, "tanh"),
        Func::H => {
            // 1 above zero, 0 below, 1/2 at zero, NaN for NaN (as the runtime's `heaviside`).
            let bld = cg.builder;
            let pos = compare(cg, span, FloatPredicate::OGT, x, f64t.const_zero())?;
            let neg = compare(cg, span, FloatPredicate::OLT, x, f64t.const_zero())?;
            let nan = compare(cg, span, FloatPredicate::UNO, x, x)?;
            let at_zero = llvm(
                span,
                bld.build_select(nan, x, f64t.const_float(0.5), "h_zero"),
            )?;
            let not_pos = llvm(
                span,
                bld.build_select(neg, f64t.const_zero(), at_zero.into_float_value(), "h0"),
            )?;
            let h = llvm(
                span,
                bld.build_select(pos, f64t.const_float(1.0), not_pos.into_float_value(), "h"),
            )?;
            return Ok(h.into_float_value());
        }
        Func::Random | Func::Factorial => unreachable!("refused by compile_expr"),
    };
    call_float(cg, span, callee, &[x.into()])
}

/// The f64 overload of an LLVM intrinsic, declared in the module.
fn intrinsic<'ctx>(
    cg: &Codegen<'_, 'ctx>,
    span: Span,
    name: &str,
) -> Result<FunctionValue<'ctx>, Diagnostic> {
    Intrinsic::find(name)
        .and_then(|i| i.get_declaration(cg.module, &[cg.context.f64_type().into()]))
        .ok_or_else(|| Diagnostic::at(span, format!("LLVM has no intrinsic '{name}'")))
}

/// A `double name(double)` function from the C maths library, declared once per module.
fn libm<'ctx>(cg: &Codegen<'_, 'ctx>, name: &str) -> FunctionValue<'ctx> {
    cg.module.get_function(name).unwrap_or_else(|| {
        let f64t = cg.context.f64_type();
        let ty = f64t.fn_type(&[f64t.into()], false);
        cg.module.add_function(name, ty, Some(Linkage::External))
    })
}

fn call_float<'ctx>(
    cg: &Codegen<'_, 'ctx>,
    span: Span,
    callee: FunctionValue<'ctx>,
    args: &[BasicMetadataValueEnum<'ctx>],
) -> Result<FloatValue<'ctx>, Diagnostic> {
    let site = llvm(span, cg.builder.build_call(callee, args, "call"))?;
    site.try_as_basic_value()
        .basic()
        .map(|v| v.into_float_value())
        .ok_or_else(|| Diagnostic::at(span, "an LLVM maths call returned no value"))
}

fn compare<'ctx>(
    cg: &Codegen<'_, 'ctx>,
    span: Span,
    p: FloatPredicate,
    a: FloatValue<'ctx>,
    b: FloatValue<'ctx>,
) -> Result<IntValue<'ctx>, Diagnostic> {
    llvm(span, cg.builder.build_float_compare(p, a, b, "cmp"))
}

/// A condition as a LEMS value: 1.0 when true, 0.0 when false.
pub(crate) fn truth<'ctx>(
    cg: &Codegen<'_, 'ctx>,
    span: Span,
    c: IntValue<'ctx>,
) -> Result<FloatValue<'ctx>, Diagnostic> {
    let f64t = cg.context.f64_type();
    let v = llvm(
        span,
        cg.builder
            .build_select(c, f64t.const_float(1.0), f64t.const_zero(), "truth"),
    )?;
    Ok(v.into_float_value())
}

/// An LLVM builder failure (a misplaced builder: a bug of ours) as a located diagnostic.
fn llvm<T>(span: Span, r: Result<T, inkwell::builder::BuilderError>) -> Result<T, Diagnostic> {
    r.map_err(|e| Diagnostic::at(span, format!("LLVM could not build this expression: {e}")))
}
