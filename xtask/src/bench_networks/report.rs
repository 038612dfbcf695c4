//! The benchmark's report: one table of every run, ratios against the other engines, and
//! the spike counts that disagree.

use super::*;

/// Models (`izh-net N=100`, ...) whose spike count on some engine is off lemsc's by more than
/// [`SPIKE_TOLERANCE`].
pub(super) fn disagreements(rows: &[Row]) -> Vec<String> {
    let mut out = Vec::new();
    for lemsc in rows.iter().filter(|r| r.engine == Engine::Lemsc) {
        let Some(ours) = spikes(lemsc) else { continue };
        for other in rows
            .iter()
            .filter(|r| r.model == lemsc.model && r.engine != Engine::Lemsc)
        {
            if let Some(theirs) = spikes(other) {
                if relative_difference(theirs, ours) > SPIKE_TOLERANCE {
                    out.push(format!(
                        "{}: lemsc {ours}, {} {theirs}",
                        lemsc.model,
                        other.engine.label()
                    ));
                }
            }
        }
    }
    out
}

pub(super) fn spikes(row: &Row) -> Option<usize> {
    row.result.as_ref().ok()?.spikes
}

pub(super) fn relative_difference(theirs: usize, ours: usize) -> f64 {
    (theirs as f64 - ours as f64).abs() / (ours.max(1) as f64)
}

/// The heading and the paragraph on what the network benchmark simulated and measured.
pub(super) fn network_header(options: &Options) -> String {
    let length = if options.quick {
        "a tenth of the full length (--quick)"
    } else {
        "1 s (hh-single 10 s)"
    };
    format!(
        "## Network benchmark: lemsc, EDEN, NEURON\n\n\
         Simulated {length} at dt = 0.025 ms; one run each; CPU = user + sys of the process and \
         its children; RSS = peak resident set; sim = the engine's own simulation-phase time \
         (wall) where it reports one.\n"
    )
}

/// The Markdown report under `header`: one table of measurements, one of lemsc's ratios and
/// the spike check.
pub(super) fn report(rows: &[Row], header: &str, fast_checks: &[FastCheck]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{header}");
    let _ = writeln!(
        s,
        "| model | engine | wall s | CPU s | sim s | peak RSS MiB | KiB / neuron | spikes | vs lemsc | FTZ/DAZ |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for row in rows {
        match &row.result {
            Ok(m) => {
                let sim = m.sim_s.map_or("-".into(), |v| format!("{v:.2}"));
                let spikes = m.spikes.map_or("-".into(), |v| v.to_string());
                let versus = match (m.spikes, lemsc_spikes(rows, &row.model)) {
                    (Some(theirs), Some(ours)) if row.engine != Engine::Lemsc => {
                        format!(
                            "{:+.1} %",
                            (theirs as f64 - ours as f64) / ours.max(1) as f64 * 100.0
                        )
                    }
                    _ => "-".into(),
                };
                let threads = m
                    .threads
                    .map_or(String::new(), |n| format!(" ({n} threads)"));
                let _ = writeln!(
                    s,
                    "| {} | {}{threads} | {:.2} | {:.2} | {sim} | {:.0} | {:.0} | {spikes} | {versus} | {} |",
                    row.model,
                    row.engine.label(),
                    m.wall_s,
                    m.cpu_s,
                    m.peak_rss_kib as f64 / 1024.0,
                    m.peak_rss_kib as f64 / row.cells as f64,
                    row.ftz
                );
            }
            Err(why) => {
                let why = why.replace('|', "/");
                let _ = writeln!(
                    s,
                    "| {} | {} | failed: {why} | | | | | | | {} |",
                    row.model,
                    row.engine.label(),
                    row.ftz
                );
            }
        }
    }
    let ratios = ratio_lines(rows);
    if !ratios.is_empty() {
        let _ = writeln!(
            s,
            "\n### lemsc / other (below 1: lemsc is faster or smaller)\n"
        );
        let _ = writeln!(
            s,
            "| model | vs | wall | CPU | peak RSS |\n|---|---|---:|---:|---:|"
        );
        s.push_str(&ratios.concat());
    }
    if !fast_checks.is_empty() {
        s.push_str(&fast_section(rows, fast_checks));
    }
    let disagreeing = disagreements(rows);
    let _ = writeln!(s);
    let compared = rows.iter().any(|r| {
        r.engine != Engine::Lemsc && spikes(r).is_some() && lemsc_spikes(rows, &r.model).is_some()
    });
    if !compared {
        let _ = writeln!(s, "Spike counts: no other engine ran to compare with.");
    } else if disagreeing.is_empty() {
        let _ = writeln!(
            s,
            "Spike counts: every engine within {:.0} % of lemsc's.",
            SPIKE_TOLERANCE * 100.0
        );
    } else {
        let _ = writeln!(
            s,
            "Spike counts further than {:.0} % from lemsc's: {}.",
            SPIKE_TOLERANCE * 100.0,
            disagreeing.join("; ")
        );
    }
    s
}

/// `--fast` against the exact run: spikes kept one by one, and the CPU time of each.
fn fast_section(rows: &[Row], checks: &[FastCheck]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n### lemsc-fast against lemsc's exact run\n\n\
         | model | spikes kept (same cell, same time) | exact CPU s | fast CPU s | exact / fast |\n\
         |---|---|---:|---:|---:|"
    );
    let cpu = |model: &str, engine: Engine| {
        rows.iter()
            .find(|r| r.model == model && r.engine == engine)
            .and_then(|r| r.result.as_ref().ok())
            .map(|m| m.cpu_s)
    };
    for check in checks {
        let kept = match &check.counts {
            Ok((exact, fast)) if exact == fast => format!("{}/{exact}", check.same),
            Ok((exact, fast)) => format!("{}/{exact} (fast run: {fast})", check.same),
            Err(why) => why.replace('|', "/"),
        };
        let exact = cpu(&check.model, Engine::Lemsc);
        let fast = cpu(&check.model, Engine::LemscFast);
        let show = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.2}"));
        let ratio = match (exact, fast) {
            (Some(e), Some(f)) if f > 0.0 => format!("{:.1}x", e / f),
            _ => "-".into(),
        };
        let _ = writeln!(
            s,
            "| {} | {kept} | {} | {} | {ratio} |",
            check.model,
            show(exact),
            show(fast)
        );
    }
    s
}

/// One Markdown row per (lemsc mode, model, EDEN, NEURON's or NEST's cached run): lemsc's
/// figures over theirs; the fast mode's rows name the model with `(--fast)`.
pub(super) fn ratio_lines(rows: &[Row]) -> Vec<String> {
    let mut lines = Vec::new();
    for lemsc in rows
        .iter()
        .filter(|r| matches!(r.engine, Engine::Lemsc | Engine::LemscFast))
    {
        let mode = if lemsc.engine == Engine::LemscFast {
            " (--fast)"
        } else {
            ""
        };
        let Ok(ours) = &lemsc.result else { continue };
        let others = rows.iter().filter(|r| {
            r.model == lemsc.model
                && matches!(r.engine, Engine::Eden | Engine::Neuron | Engine::Nest)
        });
        for other in others {
            let Ok(theirs) = &other.result else { continue };
            lines.push(format!(
                "| {}{mode} | {} | {:.2} | {:.2} | {:.2} |\n",
                lemsc.model,
                other.engine.label(),
                ours.wall_s / theirs.wall_s,
                ours.cpu_s / theirs.cpu_s,
                ours.peak_rss_kib as f64 / theirs.peak_rss_kib.max(1) as f64
            ));
        }
    }
    lines
}

pub(super) fn lemsc_spikes(rows: &[Row], model: &str) -> Option<usize> {
    rows.iter()
        .find(|r| r.model == model && r.engine == Engine::Lemsc)
        .and_then(spikes)
}
