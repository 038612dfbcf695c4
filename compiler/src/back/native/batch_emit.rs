//! The batch function of a kernel: its `advance` run over consecutive instances in one call
//! (see `KernelCode::advance_batch`):
//!
//! ```text
//! u64 f(double* vars, const u64* places, u64 count, const u64* links,
//!       double t, double dt, void* rng, u64* fired)
//! for i in 0..count:
//!     base, link_start = places[2i], places[2i + 1]
//!     mask = advance(vars, base, links, link_start, t, dt, rng)   # inlined
//!     if mask != 0 or a state slot of the instance is NaN or infinite:
//!         *fired = mask; return i
//! return count
//! ```
//!
//! The advance is the kernel's one compiled copy of its `advance` statements (an internal
//! function, inlined under O2); a single `run` of `advance` is a batch of one, so every
//! path runs the same code. The state check adds
//! `vars[base + s] * 0.0` over the state slots: the sum is NaN exactly when one of them is
//! NaN or infinite. It only decides where to stop; the runtime names the slot.

use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::module::Linkage;
use inkwell::values::{FunctionValue, IntValue};
use inkwell::{AddressSpace, FloatPredicate, IntPredicate};

use super::expr::Codegen;
use super::kernel_emit::built;
use crate::diag::Diagnostic;

/// Adds function `name`, the batch function of a kernel whose advance is `advance` (None:
/// no statements) and whose state slots are `state_slots`.
pub(crate) fn emit_batch<'ctx>(
    cg: &Codegen<'_, 'ctx>,
    name: &str,
    advance: Option<FunctionValue<'ctx>>,
    state_slots: &[u32],
) -> Result<(), Diagnostic> {
    let context = cg.context;
    let bld = cg.builder;
    let i64t = context.i64_type();
    let f64t = context.f64_type();
    let ptr = context.ptr_type(AddressSpace::default());
    let fn_type = i64t.fn_type(
        &[
            ptr.into(),
            ptr.into(),
            i64t.into(),
            ptr.into(),
            f64t.into(),
            f64t.into(),
            ptr.into(),
            ptr.into(),
        ],
        false,
    );
    let function = cg
        .module
        .add_function(name, fn_type, Some(Linkage::External));
    mark_params(context, function);
    if let Some(advance) = advance {
        // One copy of the advance per batch loop, not a call per instance.
        let inline = Attribute::get_named_enum_kind_id("alwaysinline");
        advance.add_attribute(
            AttributeLoc::Function,
            context.create_enum_attribute(inline, 0),
        );
    }
    let param = |i: u32| {
        function
            .get_nth_param(i)
            .expect("batch functions take 8 parameters")
    };
    let (vars, places, count, links) = (
        param(0).into_pointer_value(),
        param(1).into_pointer_value(),
        param(2).into_int_value(),
        param(3).into_pointer_value(),
    );
    let (t, dt, rng, fired_out) = (param(4), param(5), param(6), param(7).into_pointer_value());

    let entry = context.append_basic_block(function, "entry");
    let head = context.append_basic_block(function, "head");
    let body = context.append_basic_block(function, "body");
    let next = context.append_basic_block(function, "next");
    let stopped = context.append_basic_block(function, "stopped");
    let done = context.append_basic_block(function, "done");

    bld.position_at_end(entry);
    built(bld.build_unconditional_branch(head))?;

    bld.position_at_end(head);
    let i = built(bld.build_phi(i64t, "i"))?;
    let i_value = i.as_basic_value().into_int_value();
    let more = built(bld.build_int_compare(IntPredicate::ULT, i_value, count, "more"))?;
    built(bld.build_conditional_branch(more, body, done))?;

    bld.position_at_end(body);
    let place = |k: u64, label: &str| -> Result<IntValue<'ctx>, Diagnostic> {
        let two_i = built(bld.build_int_mul(i_value, i64t.const_int(2, false), "two_i"))?;
        let at = built(bld.build_int_add(two_i, i64t.const_int(k, false), "at"))?;
        // SAFETY (of the generated code): the runtime passes `count` pairs.
        let at = unsafe { built(bld.build_in_bounds_gep(i64t, places, &[at], label))? };
        built(bld.build_load(i64t, at, label)).map(|v| v.into_int_value())
    };
    let base = place(0, "base")?;
    let link_start = place(1, "link_start")?;
    let mask = match advance {
        Some(advance) => {
            let args = [
                vars.into(),
                base.into(),
                links.into(),
                link_start.into(),
                t.into(),
                dt.into(),
                rng.into(),
            ];
            built(bld.build_call(advance, &args, "mask"))?
                .try_as_basic_value()
                .basic()
                .ok_or_else(|| Diagnostic::error("an advance function returned no value"))?
                .into_int_value()
        }
        None => i64t.const_zero(),
    };
    let zero = f64t.const_float(0.0);
    let mut probe = zero;
    for &slot in state_slots {
        let index = built(bld.build_int_add(base, i64t.const_int(u64::from(slot), false), "slot"))?;
        // SAFETY (of the generated code): state slots are below the block length, which the
        // runtime checks for every instance before the run.
        let at = unsafe { built(bld.build_in_bounds_gep(f64t, vars, &[index], "state"))? };
        let value = built(bld.build_load(f64t, at, "state"))?.into_float_value();
        let nan_if_not_finite = built(bld.build_float_mul(value, zero, "probe"))?;
        probe = built(bld.build_float_add(probe, nan_if_not_finite, "probe"))?;
    }
    let diverged = built(bld.build_float_compare(FloatPredicate::UNO, probe, probe, "diverged"))?;
    let fired = built(bld.build_int_compare(IntPredicate::NE, mask, i64t.const_zero(), "fired"))?;
    let stop = built(bld.build_or(fired, diverged, "stop"))?;
    built(bld.build_conditional_branch(stop, stopped, next))?;

    bld.position_at_end(next);
    let next_i = built(bld.build_int_add(i_value, i64t.const_int(1, false), "next_i"))?;
    built(bld.build_unconditional_branch(head))?;
    i.add_incoming(&[(&i64t.const_zero(), entry), (&next_i, next)]);

    bld.position_at_end(stopped);
    built(bld.build_store(fired_out, mask))?;
    built(bld.build_return(Some(&i_value)))?;

    bld.position_at_end(done);
    built(bld.build_return(Some(&count)))?;
    Ok(())
}

/// The four pointers point to disjoint memory (vars, the batch's places, links, the
/// generator, the fired cell), and none is kept after the call.
fn mark_params(context: &inkwell::context::Context, function: FunctionValue<'_>) {
    let attr =
        |name: &str| context.create_enum_attribute(Attribute::get_named_enum_kind_id(name), 0);
    for param in [0, 1, 3, 6, 7] {
        function.add_attribute(AttributeLoc::Param(param), attr("noalias"));
        function.add_attribute(AttributeLoc::Param(param), attr("nocapture"));
    }
    for param in [1, 3] {
        function.add_attribute(AttributeLoc::Param(param), attr("readonly"));
    }
    function.add_attribute(AttributeLoc::Function, attr("nounwind"));
}
