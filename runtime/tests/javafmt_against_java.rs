//! Compares `float_to_string` with the machine's own Java for many random f32 bit patterns.
//! Skipped, with a note, where no JDK is installed.

mod common;

use lemsc_runtime::javafmt::float_to_string;

const RANDOM_PATTERNS: u32 = 300_000;

const PRINTER_SOURCE: &str = r#"
public class FloatPrinter {
    public static void main(String[] args) {
        StringBuilder out = new StringBuilder();
        out.append(System.getProperty("java.specification.version")).append('\n');
        int[] edges = {0, 0x80000000, 1, 2, 0x007fffff, 0x00800000, 0x7f7fffff, 0x7f800000,
                       0xff800000, 0x7fc00000, 0x3f800000, 0x4b189680, 0x3a83126f, 0x3a83126e};
        for (int bits : edges) line(out, bits);
        java.util.Random random = new java.util.Random(Long.parseLong(args[0]));
        int count = Integer.parseInt(args[1]);
        for (int i = 0; i < count; i++) line(out, random.nextInt());
        System.out.print(out);
    }
    static void line(StringBuilder out, int bits) {
        out.append(bits).append('\t').append(Float.toString(Float.intBitsToFloat(bits))).append('\n');
    }
}
"#;

/// Runs the printer; `None` when java/javac are not available.
fn java_output(seed: u64, count: u32) -> Option<String> {
    common::run_java(
        "FloatPrinter",
        PRINTER_SOURCE,
        &[&seed.to_string(), &count.to_string()],
    )
}

fn significant_digits(text: &str) -> usize {
    let mantissa = text.split('E').next().unwrap_or(text);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').trim_end_matches('0').len()
}

/// True where an old JDK's text differs from ours only by its known flaws: it reads back as
/// the same float and is either longer than ours or as long but further from the value.
fn old_jdk_quirk(value: f32, java: &str, ours: &str) -> bool {
    let same_value = java
        .parse::<f32>()
        .is_ok_and(|j| j.to_bits() == value.to_bits());
    if !same_value {
        return false;
    }
    let (java_len, our_len) = (significant_digits(java), significant_digits(ours));
    if java_len != our_len {
        return java_len > our_len;
    }
    // Two candidates one unit apart in the 8th or 9th digit: f64 resolves their distances
    // to the (exactly representable) value with room to spare.
    let exact = f64::from(value);
    let distance = |text: &str| (text.parse::<f64>().expect("decimal") - exact).abs();
    distance(ours) < distance(java)
}

#[test]
fn matches_the_local_java_on_random_bit_patterns() {
    let Some(output) = java_output(20_240_601, RANDOM_PATTERNS) else {
        eprintln!("note: no java/javac on PATH; comparison with Java skipped");
        return;
    };
    let mut lines = output.lines();
    let version: f32 = lines
        .next()
        .and_then(|v| v.parse().ok())
        .expect("java version line");
    // JDK 19 replaced the old FloatingDecimal with a shortest-and-closest algorithm, which
    // is what the jLEMS reference files show. Before it, Java sometimes printed a longer
    // decimal of the same float (1.17549435E-38) or, for large values, a less close one of
    // the same length (-7.0727832E25 for -7.07278328e25).
    let old_jdk = version < 19.0;

    let (mut compared, mut old_jdk_quirks) = (0usize, 0usize);
    let mut mismatches = Vec::new();
    for line in lines {
        let (bits, java) = line.split_once('\t').expect("bits<TAB>text");
        let value = f32::from_bits(bits.parse::<i32>().expect("int bits") as u32);
        let ours = float_to_string(value);
        compared += 1;
        if ours == java {
            continue;
        }
        if old_jdk && old_jdk_quirk(value, java, &ours) {
            old_jdk_quirks += 1;
            continue;
        }
        mismatches.push(format!("bits {bits}: java {java:?}, ours {ours:?}"));
    }
    assert!(compared > RANDOM_PATTERNS as usize);
    common::assert_no_mismatches(&mismatches, compared, &format!("values (Java {version})"));
    eprintln!(
        "{compared} values agree with Java {version}, except {old_jdk_quirks} where this \
         pre-19 JDK printed a longer or less close decimal of the same float"
    );
}
