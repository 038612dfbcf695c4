//! `strict_log` against the machine's own `StrictMath.log` on many random inputs, mostly in
//! (0, 1) where `nextGaussian` uses it. Skipped, with a note, where no JDK is installed.

mod common;

use lemsc_runtime::strict_log::strict_log;

const PRINTER_SOURCE: &str = r#"
public class LogPrinter {
    public static void main(String[] args) {
        java.util.Random random = new java.util.Random(99);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 200000; i++) {
            // Half in (0, 1), half over all positive bit patterns (subnormals included).
            double x = (i % 2 == 0) ? random.nextDouble()
                                    : Double.longBitsToDouble(random.nextLong() >>> 1);
            out.append(Long.toHexString(Double.doubleToRawLongBits(x))).append(' ')
               .append(Long.toHexString(Double.doubleToRawLongBits(StrictMath.log(x))))
               .append('\n');
        }
        System.out.print(out);
    }
}
"#;

#[test]
fn matches_the_local_java_strict_math_log() {
    let Some(output) = common::run_java("LogPrinter", PRINTER_SOURCE, &[]) else {
        eprintln!("note: no java/javac on PATH; comparison with StrictMath.log skipped");
        return;
    };
    let bits = |hex: &str| u64::from_str_radix(hex, 16).expect("hex bits");
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for line in output.lines() {
        let (x, java) = line.split_once(' ').expect("two fields");
        let x = f64::from_bits(bits(x));
        let ours = strict_log(x).to_bits();
        compared += 1;
        if ours != bits(java) {
            mismatches.push(format!("log({x:e}): java {java}, ours {ours:x}"));
        }
    }
    assert_eq!(compared, 200_000);
    common::assert_no_mismatches(&mismatches, compared, "logarithms");
}
