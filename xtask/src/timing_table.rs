//! The table the example benchmarks print: one row per example with the seconds each route
//! took, the ratio of two routes, a total over the examples every route ran, and then a line
//! for each run that failed.

/// A route's seconds on one example, or why it did not run.
pub type Seconds = Result<f64, String>;

pub struct TimingTable<'a> {
    /// The routes, in column order: "lemsc", "jnml"...
    pub routes: &'a [&'a str],
    /// Digits after the point in the seconds columns.
    pub decimals: usize,
    /// The ratio column: the route whose time is divided, the route it is divided by, and
    /// the digits after the point.
    pub ratio: (usize, usize, usize),
}

impl TimingTable<'_> {
    /// Prints `rows`: each an example's name and its seconds, one per route.
    pub fn print(&self, rows: &[(&str, Vec<&Seconds>)]) {
        print!("{}", self.render(rows));
    }

    /// The table's text, a blank line first.
    fn render(&self, rows: &[(&str, Vec<&Seconds>)]) -> String {
        let mut text = String::from("\n");
        let (over, under, ratio_decimals) = self.ratio;
        let ratio_header = format!("{}/{}", self.routes[over], self.routes[under]);
        let name_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(30);
        let widths: Vec<usize> = self.routes.iter().map(|r| r.len() + 4).collect();
        let ratio_width = ratio_header.len().max(8);
        let line = |name: &str, cells: &[String], ratio: &str| {
            let cells: Vec<String> = (cells.iter().zip(&widths))
                .map(|(cell, width)| format!(" {cell:>width$}"))
                .collect();
            format!(
                "{name:<name_width$}{} {ratio:>ratio_width$}\n",
                cells.concat()
            )
        };
        let ratio_of = |times: &[f64]| format!("{:.ratio_decimals$}x", times[over] / times[under]);

        let headers: Vec<String> = self.routes.iter().map(|r| format!("{r} (s)")).collect();
        text += &line("example", &headers, &ratio_header);
        let mut totals = vec![0.0; self.routes.len()];
        let mut all_ran = 0;
        let mut failures = Vec::new();
        for (name, seconds) in rows {
            let cells: Vec<String> = seconds.iter().map(|s| self.cell(s)).collect();
            let ran: Option<Vec<f64>> = seconds.iter().map(|s| s.as_ref().ok().copied()).collect();
            let ratio = match ran {
                Some(times) => {
                    totals.iter_mut().zip(&times).for_each(|(t, s)| *t += s);
                    all_ran += 1;
                    ratio_of(&times)
                }
                None => "-".to_string(),
            };
            text += &line(name, &cells, &ratio);
            for (route, result) in self.routes.iter().zip(seconds) {
                if let Err(why) = result {
                    failures.push(format!("{name} ({route}): {why}"));
                }
            }
        }
        if all_ran > 0 {
            let cells: Vec<String> = totals.iter().map(|t| self.cell(&Ok(*t))).collect();
            let name = format!("total ({all_ran} examples every route ran)");
            text += &line(&name, &cells, &ratio_of(&totals));
        }
        if !failures.is_empty() {
            text.push('\n');
        }
        for failure in failures {
            text += &failure;
            text.push('\n');
        }
        text
    }

    /// Seconds with the table's digits, or "failed".
    fn cell(&self, seconds: &Seconds) -> String {
        let decimals = self.decimals;
        match seconds {
            Ok(s) => format!("{s:.decimals$}"),
            Err(_) => "failed".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_and_ratios_count_only_examples_every_route_ran() {
        let table = TimingTable {
            routes: &["ours", "theirs"],
            decimals: 2,
            ratio: (1, 0, 1),
        };
        let (fast, slow, broken) = (Ok(0.5), Ok(2.0), Err("exit 1".to_string()));
        let text = table.render(&[
            ("Ex0.xml", vec![&fast, &slow]),
            ("Ex1.xml", vec![&slow, &broken]),
        ]);
        let lines: Vec<Vec<&str>> = text
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(lines[0], Vec::<&str>::new());
        assert_eq!(
            lines[1],
            ["example", "ours", "(s)", "theirs", "(s)", "theirs/ours"]
        );
        assert_eq!(lines[2], ["Ex0.xml", "0.50", "2.00", "4.0x"]);
        assert_eq!(lines[3], ["Ex1.xml", "2.00", "failed", "-"]);
        assert_eq!(lines[4][lines[4].len() - 3..], ["0.50", "2.00", "4.0x"]);
        assert_eq!(lines[6], ["Ex1.xml", "(theirs):", "exit", "1"]);
    }
}
