//! `JavaRandom` against outputs recorded from the JDK (`tests/data/RandomVectors.java`).

use lemsc_runtime::javarand::JavaRandom;

const VECTORS: &str = include_str!("data/java_random_vectors.txt");

/// One recorded value: a double's bits or an int.
fn parse_value(text: &str) -> u64 {
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).expect("hex bits"),
        None => text.parse::<i32>().expect("int") as u32 as u64,
    }
}

/// Draws the `index`-th value of `method` from `random`, encoded like the file.
fn draw(random: &mut JavaRandom, method: &str, index: usize) -> u64 {
    let int = |v: Option<i32>| v.expect("positive bound") as u32 as u64;
    match method {
        "nextDouble" => random.next_double().to_bits(),
        "nextGaussian" => random.next_gaussian().to_bits(),
        "nextInt" => random.next_int() as u32 as u64,
        "nextInt(10)" => int(random.next_int_bounded(10)),
        "nextInt(64)" => int(random.next_int_bounded(64)),
        "nextInt(1500000000)" => int(random.next_int_bounded(1_500_000_000)),
        "mixed" => match index % 3 {
            0 => random.next_gaussian().to_bits(),
            1 => random.next_double().to_bits(),
            _ => int(random.next_int_bounded(7)),
        },
        other => panic!("unknown method {other:?} in the vector file"),
    }
}

#[test]
fn matches_recorded_jdk_outputs() {
    let mut sequences = 0;
    for (line_no, line) in VECTORS.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split(' ');
        let seed: i64 = fields.next().unwrap().parse().expect("seed");
        let method = fields.next().expect("method");
        let expected: Vec<u64> = fields.map(parse_value).collect();
        assert_eq!(expected.len(), 50, "line {}", line_no + 1);
        let mut random = JavaRandom::new(seed);
        for (i, &want) in expected.iter().enumerate() {
            let got = draw(&mut random, method, i);
            assert_eq!(
                got, want,
                "seed {seed}, {method}, value #{i}: got {got:#x}, JDK gave {want:#x}"
            );
        }
        sequences += 1;
    }
    assert_eq!(sequences, 5 * 7, "every seed and method is present");
}
