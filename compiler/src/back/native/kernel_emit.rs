//! One kernel entry (a list of [`Stmt`]s) as one LLVM function:
//!
//! ```text
//! u64 f(double* vars, u64 base, const u64* links, u64 link_start, double t, double dt, void* rng)
//! ```
//!
//! returning the mask of out-ports the statements fired. The code follows the reading of
//! `program.rs` that the reference interpreter follows, so both give the same bits: operands
//! are evaluated left to right (which fixes the order of `random()` draws), a slot is loaded
//! each time it is read, and no fast-math flag is ever set.

use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::BuilderError;
use inkwell::context::Context;
use inkwell::module::{Linkage, Module};
use inkwell::types::FunctionType;
use inkwell::values::{FloatValue, FunctionValue, IntValue, PointerValue};
use inkwell::{AddressSpace, FloatPredicate, IntPredicate};

use lemsc_runtime::program::{BinOp, Expr, Func, Reduce, Stmt};

use super::expr::{self as scalar, Codegen};
use crate::diag::{Diagnostic, FileId, Span};
use crate::front::expr as front;

/// The Rust function behind `random()`: `double lemsc_next_double(void* rng)`.
pub(crate) const NEXT_DOUBLE: &str = "lemsc_next_double";

/// The LLVM type shared by every entry function.
pub(crate) fn entry_fn_type(context: &Context) -> FunctionType<'_> {
    let i64t = context.i64_type();
    let f64t = context.f64_type();
    let ptr = context.ptr_type(AddressSpace::default());
    i64t.fn_type(
        &[
            ptr.into(),
            i64t.into(),
            ptr.into(),
            i64t.into(),
            f64t.into(),
            f64t.into(),
            ptr.into(),
        ],
        false,
    )
}

/// Adds function `name` running `stmts` to the module of `cg`.
pub(crate) fn emit_entry<'ctx>(
    cg: &Codegen<'_, 'ctx>,
    name: &str,
    stmts: &[Stmt],
) -> Result<FunctionValue<'ctx>, Diagnostic> {
    let context = cg.context;
    let function = cg
        .module
        .add_function(name, entry_fn_type(context), Some(Linkage::External));
    mark_pointer_params(context, function);
    let entry = context.append_basic_block(function, "entry");
    cg.builder.position_at_end(entry);
    let param = |i: u32| {
        function
            .get_nth_param(i)
            .expect("entry functions take 7 parameters")
    };
    let mask = built(cg.builder.build_alloca(context.i64_type(), "mask"))?;
    built(
        cg.builder
            .build_store(mask, context.i64_type().const_zero()),
    )?;
    let emitter = EntryEmitter {
        cg,
        function,
        vars: param(0).into_pointer_value(),
        base: param(1).into_int_value(),
        links: param(2).into_pointer_value(),
        link_start: param(3).into_int_value(),
        t: param(4).into_float_value(),
        dt: param(5).into_float_value(),
        rng: param(6).into_pointer_value(),
        mask,
    };
    emitter.stmts(stmts)?;
    let fired = built(cg.builder.build_load(context.i64_type(), mask, "fired"))?;
    built(cg.builder.build_return(Some(&fired)))?;
    Ok(function)
}

/// `vars`, `links` and `rng` point to disjoint memory (a `&mut [f64]`, a `&[u64]` and a
/// `&mut JavaRandom` of one `RunContext`), and the function keeps none of them: telling LLVM
/// so lets it keep link indices in registers across stores to `vars`.
fn mark_pointer_params(context: &Context, function: FunctionValue<'_>) {
    let attr =
        |name: &str| context.create_enum_attribute(Attribute::get_named_enum_kind_id(name), 0);
    for param in [0, 2, 6] {
        function.add_attribute(AttributeLoc::Param(param), attr("noalias"));
        function.add_attribute(AttributeLoc::Param(param), attr("nocapture"));
    }
    function.add_attribute(AttributeLoc::Param(2), attr("readonly"));
    function.add_attribute(AttributeLoc::Function, attr("nounwind"));
}

/// Emits the statements and expressions of one entry function.
struct EntryEmitter<'c, 'a, 'ctx> {
    cg: &'c Codegen<'a, 'ctx>,
    function: FunctionValue<'ctx>,
    vars: PointerValue<'ctx>,
    base: IntValue<'ctx>,
    links: PointerValue<'ctx>,
    link_start: IntValue<'ctx>,
    t: FloatValue<'ctx>,
    dt: FloatValue<'ctx>,
    rng: PointerValue<'ctx>,
    /// The fired out-ports so far (an `alloca`, promoted to a register by the optimiser).
    mask: PointerValue<'ctx>,
}

impl<'ctx> EntryEmitter<'_, '_, 'ctx> {
    fn stmts(&self, stmts: &[Stmt]) -> Result<(), Diagnostic> {
        stmts.iter().try_for_each(|s| self.stmt(s))
    }

    fn stmt(&self, stmt: &Stmt) -> Result<(), Diagnostic> {
        let bld = self.cg.builder;
        match stmt {
            Stmt::Set { slot, value } => {
                let value = self.expr(value)?;
                let at = self.local_ptr(*slot)?;
                built(bld.build_store(at, value))?;
            }
            Stmt::If { test, then } => {
                let test = self.expr(test)?;
                let zero = self.f64_const(0.0);
                // NaN is non-zero, so it runs `then`: an unordered comparison.
                let holds = built(bld.build_float_compare(FloatPredicate::UNE, test, zero, "if"))?;
                let then_block = self.block("then");
                let after = self.block("endif");
                built(bld.build_conditional_branch(holds, then_block, after))?;
                bld.position_at_end(then_block);
                self.stmts(then)?;
                built(bld.build_unconditional_branch(after))?;
                bld.position_at_end(after);
            }
            Stmt::Emit { port } => {
                let i64t = self.cg.context.i64_type();
                let bit = i64t.const_int(1u64 << port, false);
                let old = built(bld.build_load(i64t, self.mask, "mask"))?.into_int_value();
                let new = built(bld.build_or(old, bit, "mask"))?;
                built(bld.build_store(self.mask, new))?;
            }
            Stmt::Switch { slot, arms } => self.switch(*slot, arms)?,
        }
        Ok(())
    }

    /// Runs `arms[vars[base + slot] as usize]`. Rust's `as usize` saturates (NaN and
    /// negatives give 0), and so does `llvm.fptoui.sat`; a plain `fptoui` would make
    /// out-of-range values poison.
    fn switch(&self, slot: u32, arms: &[Vec<Stmt>]) -> Result<(), Diagnostic> {
        let bld = self.cg.builder;
        let i64t = self.cg.context.i64_type();
        let f64t = self.cg.context.f64_type();
        let selector = self.load_local(slot)?;
        let to_index =
            overloaded_intrinsic(self.cg, "llvm.fptoui.sat", &[i64t.into(), f64t.into()])?;
        let index = built(bld.build_call(to_index, &[selector.into()], "arm"))?
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| Diagnostic::error("llvm.fptoui.sat returned no value"))?
            .into_int_value();
        let after = self.block("endswitch");
        let mut cases = Vec::new();
        for (k, arm) in arms.iter().enumerate() {
            if arm.is_empty() {
                continue;
            }
            cases.push((i64t.const_int(k as u64, false), self.block("arm")));
        }
        built(bld.build_switch(index, after, &cases))?;
        let non_empty = arms.iter().filter(|arm| !arm.is_empty());
        for (arm, (_, block)) in non_empty.zip(&cases) {
            bld.position_at_end(*block);
            self.stmts(arm)?;
            built(bld.build_unconditional_branch(after))?;
        }
        bld.position_at_end(after);
        Ok(())
    }

    fn expr(&self, e: &Expr) -> Result<FloatValue<'ctx>, Diagnostic> {
        let bld = self.cg.builder;
        match e {
            Expr::Const(v) => Ok(self.f64_const(*v)),
            Expr::Local(slot) => self.load_local(*slot),
            Expr::Link(k) => {
                let index = self.link_entry(*k)?;
                self.load_var(index)
            }
            Expr::Reduce(op, k) => self.reduce(*op, *k),
            Expr::Time => Ok(self.t),
            Expr::Step => Ok(self.dt),
            Expr::Neg(x) => {
                let x = self.expr(x)?;
                built(bld.build_float_neg(x, "neg"))
            }
            Expr::Not(x) => {
                let x = self.expr(x)?;
                let zero = self.f64_const(0.0);
                let is_zero = built(bld.build_float_compare(FloatPredicate::OEQ, x, zero, "not"))?;
                self.truth(is_zero)
            }
            Expr::Binary(op, l, r) => {
                let a = self.expr(l)?;
                let b = self.expr(r)?;
                scalar::binary(self.cg, nowhere(), front_binop(*op), a, b).map_err(unlocated)
            }
            Expr::Call(func, x) => {
                let x = self.expr(x)?;
                self.call(*func, x)
            }
            Expr::Random(x) => {
                // The scale first, then the draw: the order the interpreter evaluates them in.
                let x = self.expr(x)?;
                let draw = self.next_double()?;
                built(bld.build_float_mul(x, draw, "random"))
            }
        }
    }

    fn call(&self, func: Func, x: FloatValue<'ctx>) -> Result<FloatValue<'ctx>, Diagnostic> {
        let front_func = match func {
            Func::Exp => front::Func::Exp,
            Func::Ln => front::Func::Ln,
            Func::Sqrt => front::Func::Sqrt,
            Func::Sin => front::Func::Sin,
            Func::Cos => front::Func::Cos,
            Func::Tan => front::Func::Tan,
            Func::Sinh => front::Func::Sinh,
            Func::Cosh => front::Func::Cosh,
            Func::Tanh => front::Func::Tanh,
            Func::Abs => front::Func::Abs,
            Func::Ceil => front::Func::Ceil,
            Func::Floor => front::Func::Floor,
            Func::H => return self.heaviside(x),
            Func::Factorial => return self.factorial(x),
        };
        scalar::call(self.cg, nowhere(), front_func, x).map_err(unlocated)
    }

    /// `H(x)` as `program.rs` defines it: 1 above 0, 0 below, 0.5 at ±0, NaN for NaN.
    fn heaviside(&self, x: FloatValue<'ctx>) -> Result<FloatValue<'ctx>, Diagnostic> {
        let bld = self.cg.builder;
        let zero = self.f64_const(0.0);
        let cmp = |p, name| built(bld.build_float_compare(p, x, zero, name));
        let (pos, neg, at_zero) = (
            cmp(FloatPredicate::OGT, "pos")?,
            cmp(FloatPredicate::OLT, "neg")?,
            cmp(FloatPredicate::OEQ, "zero")?,
        );
        let select = |c, a: FloatValue<'ctx>, b: FloatValue<'ctx>| {
            built(bld.build_select(c, a, b, "h")).map(|v| v.into_float_value())
        };
        let zero_or_nan = select(at_zero, self.f64_const(0.5), x)?;
        let not_pos = select(neg, zero, zero_or_nan)?;
        select(pos, self.f64_const(1.0), not_pos)
    }

    /// `1·2·…·n` over the integers `k <= x`, multiplied in that order from 1.0 (so 1 for
    /// x < 1 and for NaN). The loop stops once the product is infinite, where it stays.
    fn factorial(&self, x: FloatValue<'ctx>) -> Result<FloatValue<'ctx>, Diagnostic> {
        let bld = self.cg.builder;
        let f64t = self.cg.context.f64_type();
        let one = self.f64_const(1.0);
        let before = self.current_block()?;
        let header = self.block("fact");
        let body = self.block("fact_body");
        let after = self.block("fact_end");
        built(bld.build_unconditional_branch(header))?;

        bld.position_at_end(header);
        let k = built(bld.build_phi(f64t, "k"))?;
        let product = built(bld.build_phi(f64t, "product"))?;
        let k_value = k.as_basic_value().into_float_value();
        let product_value = product.as_basic_value().into_float_value();
        let in_range = built(bld.build_float_compare(FloatPredicate::OLE, k_value, x, "k_le_x"))?;
        let inf = self.f64_const(f64::INFINITY);
        let finite =
            built(bld.build_float_compare(FloatPredicate::ONE, product_value, inf, "finite"))?;
        let go_on = built(bld.build_and(in_range, finite, "go_on"))?;
        built(bld.build_conditional_branch(go_on, body, after))?;

        bld.position_at_end(body);
        let next_product = built(bld.build_float_mul(product_value, k_value, "product"))?;
        let next_k = built(bld.build_float_add(k_value, one, "k"))?;
        built(bld.build_unconditional_branch(header))?;

        k.add_incoming(&[(&one, before), (&next_k, body)]);
        product.add_incoming(&[(&one, before), (&next_product, body)]);
        bld.position_at_end(after);
        Ok(product_value)
    }

    /// Sum or product over the list that link entry `k` points to, in list order.
    fn reduce(&self, op: Reduce, k: u32) -> Result<FloatValue<'ctx>, Diagnostic> {
        let bld = self.cg.builder;
        let i64t = self.cg.context.i64_type();
        let f64t = self.cg.context.f64_type();
        let list = self.link_entry(k)?;
        let count = self.load_link(list)?;
        let start = self.f64_const(match op {
            Reduce::Add => 0.0,
            Reduce::Multiply => 1.0,
        });
        let before = self.current_block()?;
        let header = self.block("reduce");
        let body = self.block("reduce_body");
        let after = self.block("reduce_end");
        built(bld.build_unconditional_branch(header))?;

        bld.position_at_end(header);
        let i = built(bld.build_phi(i64t, "i"))?;
        let acc = built(bld.build_phi(f64t, "acc"))?;
        let i_value = i.as_basic_value().into_int_value();
        let acc_value = acc.as_basic_value().into_float_value();
        let more = built(bld.build_int_compare(IntPredicate::ULE, i_value, count, "more"))?;
        built(bld.build_conditional_branch(more, body, after))?;

        bld.position_at_end(body);
        let at = built(bld.build_int_add(list, i_value, "at"))?;
        let index = self.load_link(at)?;
        let value = self.load_var(index)?;
        let next_acc = match op {
            Reduce::Add => built(bld.build_float_add(acc_value, value, "acc"))?,
            Reduce::Multiply => built(bld.build_float_mul(acc_value, value, "acc"))?,
        };
        let next_i = built(bld.build_int_add(i_value, i64t.const_int(1, false), "i"))?;
        built(bld.build_unconditional_branch(header))?;

        let first = i64t.const_int(1, false);
        i.add_incoming(&[(&first, before), (&next_i, body)]);
        acc.add_incoming(&[(&start, before), (&next_acc, body)]);
        bld.position_at_end(after);
        Ok(acc_value)
    }

    /// One `nextDouble()` of the run's generator, through [`NEXT_DOUBLE`].
    fn next_double(&self) -> Result<FloatValue<'ctx>, Diagnostic> {
        let module: &Module<'ctx> = self.cg.module;
        let callee = module.get_function(NEXT_DOUBLE).unwrap_or_else(|| {
            let ctx = self.cg.context;
            let ty = ctx
                .f64_type()
                .fn_type(&[ctx.ptr_type(AddressSpace::default()).into()], false);
            module.add_function(NEXT_DOUBLE, ty, Some(Linkage::External))
        });
        built(
            self.cg
                .builder
                .build_call(callee, &[self.rng.into()], "draw"),
        )?
        .try_as_basic_value()
        .basic()
        .map(|v| v.into_float_value())
        .ok_or_else(|| Diagnostic::error(format!("{NEXT_DOUBLE} returned no value")))
    }

    /// `links[link_start + k]`.
    fn link_entry(&self, k: u32) -> Result<IntValue<'ctx>, Diagnostic> {
        let i64t = self.cg.context.i64_type();
        let at = built(self.cg.builder.build_int_add(
            self.link_start,
            i64t.const_int(u64::from(k), false),
            "link",
        ))?;
        self.load_link(at)
    }

    fn load_link(&self, index: IntValue<'ctx>) -> Result<IntValue<'ctx>, Diagnostic> {
        let i64t = self.cg.context.i64_type();
        // SAFETY (of the generated code): the runtime validates every link index first.
        let at = unsafe {
            built(
                self.cg
                    .builder
                    .build_in_bounds_gep(i64t, self.links, &[index], "links_at"),
            )?
        };
        built(self.cg.builder.build_load(i64t, at, "link")).map(|v| v.into_int_value())
    }

    fn local_ptr(&self, slot: u32) -> Result<PointerValue<'ctx>, Diagnostic> {
        let i64t = self.cg.context.i64_type();
        let index = built(self.cg.builder.build_int_add(
            self.base,
            i64t.const_int(u64::from(slot), false),
            "slot",
        ))?;
        self.var_ptr(index)
    }

    fn var_ptr(&self, index: IntValue<'ctx>) -> Result<PointerValue<'ctx>, Diagnostic> {
        let f64t = self.cg.context.f64_type();
        // SAFETY (of the generated code): slots are below the kernel's block length and link
        // targets inside vars, both checked by the runtime before it runs a program.
        unsafe {
            built(
                self.cg
                    .builder
                    .build_in_bounds_gep(f64t, self.vars, &[index], "var"),
            )
        }
    }

    fn load_local(&self, slot: u32) -> Result<FloatValue<'ctx>, Diagnostic> {
        let at = self.local_ptr(slot)?;
        self.load_f64(at)
    }

    fn load_var(&self, index: IntValue<'ctx>) -> Result<FloatValue<'ctx>, Diagnostic> {
        let at = self.var_ptr(index)?;
        self.load_f64(at)
    }

    fn load_f64(&self, at: PointerValue<'ctx>) -> Result<FloatValue<'ctx>, Diagnostic> {
        let f64t = self.cg.context.f64_type();
        built(self.cg.builder.build_load(f64t, at, "value")).map(|v| v.into_float_value())
    }

    fn truth(&self, c: IntValue<'ctx>) -> Result<FloatValue<'ctx>, Diagnostic> {
        scalar::truth(self.cg, nowhere(), c).map_err(unlocated)
    }

    fn f64_const(&self, v: f64) -> FloatValue<'ctx> {
        self.cg.context.f64_type().const_float(v)
    }

    fn block(&self, name: &str) -> BasicBlock<'ctx> {
        self.cg.context.append_basic_block(self.function, name)
    }

    fn current_block(&self) -> Result<BasicBlock<'ctx>, Diagnostic> {
        self.cg
            .builder
            .get_insert_block()
            .ok_or_else(|| Diagnostic::error("LLVM builder is not inside a block"))
    }
}

/// An overloaded LLVM intrinsic declared for the given types.
fn overloaded_intrinsic<'ctx>(
    cg: &Codegen<'_, 'ctx>,
    name: &str,
    types: &[inkwell::types::BasicTypeEnum<'ctx>],
) -> Result<FunctionValue<'ctx>, Diagnostic> {
    inkwell::intrinsics::Intrinsic::find(name)
        .and_then(|i| i.get_declaration(cg.module, types))
        .ok_or_else(|| Diagnostic::error(format!("LLVM has no intrinsic '{name}'")))
}

fn front_binop(op: BinOp) -> front::BinOp {
    match op {
        BinOp::Add => front::BinOp::Add,
        BinOp::Sub => front::BinOp::Sub,
        BinOp::Mul => front::BinOp::Mul,
        BinOp::Div => front::BinOp::Div,
        BinOp::Pow => front::BinOp::Pow,
        BinOp::Gt => front::BinOp::Gt,
        BinOp::Lt => front::BinOp::Lt,
        BinOp::Ge => front::BinOp::Ge,
        BinOp::Le => front::BinOp::Le,
        BinOp::Eq => front::BinOp::Eq,
        BinOp::Ne => front::BinOp::Ne,
        BinOp::And => front::BinOp::And,
        BinOp::Or => front::BinOp::Or,
    }
}

/// Kernel statements carry no source location; the shared scalar helpers want one for their
/// (internal) errors, which [`unlocated`] removes again.
fn nowhere() -> Span {
    Span::new(FileId(0), 0, 0)
}

fn unlocated(mut d: Diagnostic) -> Diagnostic {
    d.primary = None;
    d
}

/// An LLVM builder failure: a bug in this module, reported rather than panicking.
pub(crate) fn built<T>(r: Result<T, BuilderError>) -> Result<T, Diagnostic> {
    r.map_err(|e| Diagnostic::error(format!("LLVM could not build kernel code: {e}")))
}
