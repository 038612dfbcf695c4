//! Orders with [`Op::Repeat`]: written out, and with ops left out.

use super::Op;

/// `ops` with every [`Op::Repeat`] written out: the ops in the order they run.
pub fn expanded(ops: &[Op]) -> Vec<Op> {
    let mut out = Vec::new();
    expand_into(ops, &mut out);
    out
}

fn expand_into(ops: &[Op], out: &mut Vec<Op>) {
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Repeat { len } => expand_into(&ops[i.saturating_sub(*len as usize)..i], out),
            other => out.push(other.clone()),
        }
    }
}

/// Keeps the ops `keep` accepts (it is not asked about repeats), and shortens each repeat
/// to the ops kept in its range; a repeat left with none goes too. Runs what `ops` ran,
/// without the ops left out.
pub fn retain(ops: &mut Vec<Op>, keep: impl Fn(&Op) -> bool) {
    // kept_before[i]: how many of ops[..i] are kept.
    let mut kept_before = Vec::with_capacity(ops.len() + 1);
    kept_before.push(0usize);
    let mut decisions = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let decision = match op {
            Op::Repeat { len } => {
                let start = i.saturating_sub(*len as usize);
                let kept = kept_before[i] - kept_before[start];
                (kept > 0).then_some(Some(kept as u32))
            }
            other => keep(other).then_some(None),
        };
        kept_before.push(kept_before[i] + usize::from(decision.is_some()));
        decisions.push(decision);
    }
    let mut at = 0;
    ops.retain_mut(|op| {
        let decision = decisions[at];
        at += 1;
        if let (Some(Some(len)), Op::Repeat { len: old }) = (decision, &mut *op) {
            *old = len;
        }
        decision.is_some()
    });
}

/// Checks that every repeat's range lies inside the order, and inside the range of every
/// repeat that covers the repeat itself, so that running it never reaches outside what it
/// repeats.
pub fn check_repeats(ops: &[Op]) -> Result<(), String> {
    // The extents (range and the repeat itself) of the repeats so far that no later range
    // has covered: disjoint, in order. A new range must cover each whole or start after it.
    let mut extents: Vec<(usize, usize)> = Vec::new();
    for (at, op) in ops.iter().enumerate() {
        let Op::Repeat { len } = op else {
            continue;
        };
        let Some(start) = at.checked_sub(*len as usize) else {
            return Err(format!(
                "[{at}]: repeats {len} ops, but only {at} come before it"
            ));
        };
        while extents.last().is_some_and(|&(s, _)| s >= start) {
            extents.pop();
        }
        if let Some(&(s, e)) = extents.last().filter(|&&(_, e)| e > start) {
            return Err(format!(
                "[{at}]: its range starts at {start}, inside the repeat at {} (from {s})",
                e - 1
            ));
        }
        extents.push((start, at + 1));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn init(inst: u32) -> Op {
        Op::Init {
            inst,
            with_derived: false,
        }
    }

    /// Root 0 with children 1 and 2 (child 2 with child 3), as jLEMS's init recursion
    /// visits them, written with repeats.
    fn nested() -> Vec<Op> {
        vec![
            init(0),
            init(1),
            init(2),
            init(3),
            Op::Repeat { len: 1 },
            init(2),
            Op::Repeat { len: 5 },
            init(0),
        ]
    }

    #[test]
    fn repeats_are_written_out_inside_out() {
        let order: Vec<u32> = expanded(&nested())
            .iter()
            .map(|op| match op {
                Op::Init { inst, .. } => *inst,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, [0, 1, 2, 3, 3, 2, 1, 2, 3, 3, 2, 0]);
        check_repeats(&nested()).unwrap();
    }

    #[test]
    fn leaving_ops_out_shortens_the_repeats_over_them() {
        for left_out in 0..4 {
            let keep = |op: &Op| !matches!(op, Op::Init { inst, .. } if *inst == left_out);
            let mut ops = nested();
            retain(&mut ops, keep);
            let mut written_out = expanded(&nested());
            written_out.retain(keep);
            assert_eq!(expanded(&ops), written_out, "without {left_out}");
            check_repeats(&ops).unwrap();
        }
    }

    #[test]
    fn a_repeat_reaching_outside_the_order_or_across_another_is_refused() {
        assert!(check_repeats(&[init(0), Op::Repeat { len: 2 }]).is_err());
        // The second repeat runs the first without what the first repeats.
        let crossing = [
            init(0),
            init(1),
            Op::Repeat { len: 1 },
            Op::Repeat { len: 1 },
        ];
        assert!(check_repeats(&crossing).is_err());
    }
}
