//! Identifiers and string literals for the generated `.mod` files and the Python runner.
//!
//! Every LEMS name that reaches NEURON passes through here, so a model id can never inject
//! text into NMODL, C++ or Python:
//! - [`sanitize`] keeps `[A-Za-z0-9_]` only;
//! - [`NameTable`] makes names unique within one scope (a mod file) and steers clear of
//!   everything NMODL, hoc, C++ and Python already mean by a name;
//! - [`mechanism_name`] prefixes `nml_`: a mechanism named like a built-in (`hh`) builds, but
//!   kills `import neuron` ("The user defined name, hh, already exists");
//! - [`python_str`] writes any text as a Python string literal;
//! - [`shorten`] keeps names (and so the file names made from them) short: nocmodl refuses a
//!   line over 512 characters and file systems a name over 255 bytes, so an id of any length
//!   becomes a name of at most [`MAX_NAME_LEN`] characters.
//!
//! Why the C++ names matter: nocmodl turns every RANGE/STATE/ASSIGNED name into a C++ macro
//! (`#define gbar _ml->template fpfield<0>(_iml)`), so a variable named like an identifier of
//! the generated C++ (`data`, `node`, `std`, `Datum`...) breaks its compilation.

use std::collections::BTreeSet;

use super::run::Fnv1a;

/// The longest name [`sanitize`] returns. A mechanism name adds `nml_` and perhaps `_2`, a
/// density's RANGE variable is `<name>_<mechanism>`: all stay far below nocmodl's line limit.
pub const MAX_NAME_LEN: usize = 64;

/// Keeps `[A-Za-z0-9_]` and maps every other character to `_`. A name that would start with
/// a digit or an underscore (nocmodl's own C++ names start with `_`), or that is empty, gets
/// an `n` in front. A result longer than [`MAX_NAME_LEN`] is [`shorten`]ed.
pub fn sanitize(raw: &str) -> String {
    let mut out: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.is_empty() || !out.as_bytes()[0].is_ascii_alphabetic() {
        out.insert(0, 'n');
    }
    if out.len() > MAX_NAME_LEN {
        // Hashed from the raw id: two ids that differ only in characters sanitising
        // folds together already differ here.
        out = shorten_with(&out, raw, MAX_NAME_LEN);
    }
    out
}

/// `name` when it has at most `max_bytes` bytes; else as many of its first characters as fit
/// before `_` and 16 hex digits of a hash of the whole `name`, `max_bytes` bytes at most.
/// Deterministic, so the same model gives the same files; two long names with the same
/// beginning still differ. `max_bytes` must leave room for the hash (at least 18).
pub fn shorten(name: &str, max_bytes: usize) -> String {
    shorten_with(name, name, max_bytes)
}

fn shorten_with(name: &str, hashed: &str, max_bytes: usize) -> String {
    if name.len() <= max_bytes {
        return name.to_string();
    }
    let mut hash = Fnv1a::new();
    hash.field(hashed.as_bytes());
    let tail = format!("_{:016x}", hash.0);
    let mut keep = max_bytes.saturating_sub(tail.len());
    while !name.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{}{tail}", &name[..keep])
}

/// The NMODL mechanism name (SUFFIX, POINT_PROCESS, ARTIFICIAL_CELL) of a component id.
pub fn mechanism_name(raw: &str) -> String {
    format!("nml_{}", sanitize(raw))
}

/// A Python string literal (single quotes) holding `s`: backslash and quote escaped, control
/// characters as `\n`, `\t`, `\r` or `\xNN`, everything outside ASCII as `\uNNNN` or
/// `\UNNNNNNNN`. The literal itself is plain printable ASCII.
pub fn python_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('\'');
    out
}

/// Names claimed in one scope (one mod file, or the runner's Python names).
#[derive(Clone, Debug, Default)]
pub struct NameTable {
    taken: BTreeSet<String>,
}

impl NameTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Blocks `name` (used by the generator itself, e.g. `i` of a point cell's
    /// NONSPECIFIC_CURRENT) so no later [`claim`](Self::claim) returns it.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }

    /// A sanitised name for `raw`, unique in this table and free of every reserved name:
    /// `raw` itself when possible, else with a suffix `_2`, `_3`, ...
    pub fn claim(&mut self, raw: &str) -> String {
        let mut base = sanitize(raw);
        if has_reserved_prefix(&base) {
            // A suffix cannot help a reserved prefix.
            base.insert_str(0, "x_");
        }
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.is_free(&candidate) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }

    fn is_free(&self, name: &str) -> bool {
        if self.taken.contains(name) || is_reserved(name) || name.ends_with("_columnindex") {
            return false;
        }
        // nocmodl names the derivative of a STATE `m` `Dm`; keep `Dm` and `m` apart.
        let derivative_of_taken = name
            .strip_prefix('D')
            .is_some_and(|rest| self.taken.contains(rest));
        !derivative_of_taken && !self.taken.contains(&format!("D{name}"))
    }
}

/// Prefixes of names that NEURON's generated C++ and runtime use, math.h's constants
/// (`M_PI_2`), and our own `nml_` (generated FUNCTIONs and mechanism names).
const RESERVED_PREFIXES: &[&str] = &["nrn", "hoc_", "random_", "nml_", "nmodl_", "M_"];

fn has_reserved_prefix(name: &str) -> bool {
    RESERVED_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// True when `name` must never be a generated identifier (exact comparison).
pub fn is_reserved(name: &str) -> bool {
    RESERVED.iter().any(|group| group.contains(&name)) || has_reserved_prefix(name)
}

const RESERVED: &[&[&str]] = &[
    NMODL_KEYWORDS,
    NEURON_BUILTINS,
    HOC_NAMES,
    MATH_FUNCTIONS,
    CPP_KEYWORDS,
    GENERATED_CPP_NAMES,
    PYTHON_NAMES,
    GENERATOR_NAMES,
];

#[rustfmt::skip]
const NMODL_KEYWORDS: &[&str] = &[
    "TITLE", "COMMENT", "ENDCOMMENT", "NEURON", "UNITS", "PARAMETER", "ASSIGNED", "STATE",
    "INITIAL", "BREAKPOINT", "DERIVATIVE", "KINETIC", "LINEAR", "NONLINEAR", "FUNCTION",
    "FUNCTION_TABLE", "PROCEDURE", "NET_RECEIVE", "SOLVE", "METHOD", "STEADYSTATE", "SUFFIX",
    "POINT_PROCESS", "ARTIFICIAL_CELL", "USEION", "READ", "WRITE", "VALENCE", "REPRESENTS",
    "NONSPECIFIC_CURRENT", "ELECTRODE_CURRENT", "RANGE", "GLOBAL", "POINTER", "BBCOREPOINTER",
    "EXTERNAL", "THREADSAFE", "RANDOM", "LOCAL", "CONSTANT", "INDEPENDENT", "DEPENDENT",
    "VERBATIM", "ENDVERBATIM", "TABLE", "DEPEND", "FROM", "TO", "BY", "WITH", "IF", "ELSE",
    "WHILE", "CONSERVE", "COMPARTMENT", "LONGITUDINAL_DIFFUSION", "REACTION", "REACT", "WATCH",
    "FOR_NETCONS", "BEFORE", "AFTER", "STEP", "UNITSON", "UNITSOFF", "PROTECT", "MUTEXLOCK",
    "MUTEXUNLOCK", "CONDUCTANCE", "SWEEP", "START", "MATCH", "PARTIAL", "DISCRETE", "PLOT",
    "VS", "LAG", "RESET", "TERMINAL", "SENS", "FORALL", "DEL", "DEL2", "INCLUDE", "DEFINE",
    "NRNBBCORE", "CORENEURON", "if", "else", "while", "for", "flag", "net_send", "net_event",
    "net_move", "at_time", "euler", "cnexp", "derivimplicit", "sparse", "runge", "newton",
    "simeq", "clsoda", "adrunge", "after_cvode", "cvode_t", "cvode_v", "FARADAY", "R", "PI",
    "e", "k", "pi",
];

#[rustfmt::skip]
const NEURON_BUILTINS: &[&str] = &[
    "v", "t", "dt", "celsius", "area", "diam", "L", "Ra", "cm", "nseg", "rallbranch",
    "secondorder", "i", "i_cap", "i_membrane", "i_membrane_", "i_pas", "g_pas", "e_pas", "vext",
    "xraxial", "xg", "xc", "e_extracellular", "na", "ena", "ina", "nai", "nao", "na_ion", "k",
    "ek", "ik", "ki", "ko", "k_ion", "ca", "eca", "ica", "cai", "cao", "ca_ion", "cl", "ecl",
    "icl", "cli", "clo", "cl_ion", "hh", "pas", "fastpas", "extracellular", "capacitance",
    "morphology", "IClamp", "ExpSyn", "Exp2Syn", "NetStim", "VecStim", "IntFire1", "IntFire2",
    "IntFire4", "AlphaSynapse", "SEClamp", "VClamp", "OClamp", "APCount", "PatternStim",
    "PointProcessMark", "HHna", "HHk", "gnabar_hh", "gkbar_hh", "gl_hh", "el_hh",
];

#[rustfmt::skip]
const HOC_NAMES: &[&str] = &[
    "Section", "SectionList", "SectionRef", "Vector", "Matrix", "File", "List", "NetCon",
    "CVode", "Random", "Graph", "Shape", "PlotShape", "Impedance", "LinearMechanism", "KSChan",
    "MechanismType", "MechanismStandard", "SaveState", "StringFunctions", "Timer", "Pointer",
    "PythonObject", "ParallelContext", "PtrVector", "RangeVarPlot", "BBSaveState", "print",
    "printf", "sprintf", "fprint", "getstr", "xred", "execute", "execute1", "load_file",
    "load_proc", "load_func", "object_id", "objref", "obj", "strdef", "proc", "func",
    "iterator", "iterator_statement", "return", "break", "continue", "stop", "forall", "forsec",
    "ifsec", "local", "localobj", "public", "external", "begintemplate", "endtemplate", "new",
    "create", "connect", "access", "insert", "uninsert", "delete_section", "setpointer", "init",
    "run", "finitialize", "fadvance", "fcurrent", "frecord_init", "continuerun", "steprun",
    "stdinit", "tstop", "realtime", "secname", "psection", "topology", "distance", "ri",
    "diam3d", "x3d", "y3d", "z3d", "arc3d", "n3d", "pt3dadd", "pt3dclear", "define_shape",
    "this_section", "pop_section", "push_section", "clamp_resist", "stoprun", "float_epsilon",
    "E", "GAMMA", "DEG", "PHI", "hoc_ac_", "em", "exprelr", "ion_style", "ismembrane",
    "issection", "ifarg", "getarg", "numarg", "argtype", "quit", "startsw", "stopsw", "xopen",
    "chdir", "system", "units", "unix_mac_pc", "nrnversion",
];

const MATH_FUNCTIONS: &[&str] = &[
    "exp", "log", "log10", "log2", "log1p", "expm1", "sqrt", "cbrt", "sin", "cos", "tan", "asin",
    "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "fabs", "abs",
    "ceil", "floor", "round", "trunc", "fmod", "pow", "hypot", "erf", "erfc", "gamma", "lgamma",
    "tgamma", "min", "max", "fmin", "fmax", "int", "isnan", "isinf", "isfinite", "signbit",
    "copysign", "j0", "j1", "jn", "y0", "y1", "yn", "ldexp", "frexp", "modf",
];

#[rustfmt::skip]
const CPP_KEYWORDS: &[&str] = &[
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
    "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
    "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
    "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
    "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
    "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
    "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "requires", "restrict", "return", "short", "signed", "sizeof", "static",
    "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
    "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
    "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "main", "NULL", "errno",
    "assert", "stdin", "stdout", "stderr", "EOF", "INFINITY", "NAN", "HUGE_VAL", "M_PI",
    "size_t", "int32_t", "uint32_t", "int64_t", "uint64_t", "std", "include", "define", "undef",
    "ifdef", "ifndef", "endif", "pragma", "defined",
];

/// Identifiers that nocmodl's C++ (NEURON 9.0.2) uses after the variables' `#define`s, found
/// by translating mods of every kind; names starting with `_`, `nrn` or `hoc_` are covered
/// by [`sanitize`] and [`RESERVED_PREFIXES`].
#[rustfmt::skip]
const GENERATED_CPP_NAMES: &[&str] = &[
    "Args", "Datum", "MechanismInstance", "MechanismRange", "Memb_list", "Member_func",
    "NMODL_TEXT", "NODEV", "NPyDirectMechFunc", "NRNGPU", "NRN_VECTORIZED", "Node", "NrnThread",
    "Object", "Prop", "SparseObj", "Symbol", "VoidFunc", "DoubScal", "DoubVec", "HocParmLimits",
    "HocParmUnits", "HocStateTolerance", "EXTRACELLULAR", "Point_process", "Rand", "abort_run",
    "add_nrn_artcell", "add_nrn_has_net_event", "artcell_net_move", "artcell_net_send", "args",
    "cache", "cerr", "clang", "container", "create_point_process", "cvode_active_", "data",
    "data_array", "data_handle", "delta_t", "destroy_point_process", "do_not_search",
    "dptr_field", "field", "field_index", "format", "fpfield", "get", "get_loc_point_process",
    "gind", "has_loc_point", "initmodel", "ion_reg", "ivoc_help", "legacy", "literal_value",
    "loc_point_process", "makevector", "math", "mech_type", "mechtype", "mechanism",
    "model_sorted_token", "modelname", "need_memb", "nil", "node",
    "non_owning_identifier_without_container", "npy_direct_func_proc",
    "number_of_datum_variables", "number_of_floating_point_variables", "ob", "pnt_receive",
    "pnt_receive_size", "point_register_mech", "prop_ion", "pval", "register_data_fields",
    "register_mech", "resize", "row_view", "scopmath", "set_globals_from_prop", "sparse_thread",
    "std_cerr_stream", "stdio", "stdlib", "terminal", "usetable", "vector", "neuron",
    "coreneuron", "nt", "ml", "iml", "ppvar", "thread", "globals", "id", "index", "type", "ptr",
    "size", "count",
];

/// Python keywords (an attribute named `lambda` is a syntax error in `pp.lambda`) and the
/// attributes NEURON's Python objects already have.
#[rustfmt::skip]
const PYTHON_NAMES: &[&str] = &[
    "False", "None", "True", "as", "assert", "async", "await", "class", "def", "del", "elif",
    "except", "finally", "from", "global", "import", "in", "is", "lambda", "nonlocal", "pass",
    "raise", "try", "with", "yield", "match", "case", "loc", "get_loc", "has_loc",
    "get_segment", "hname", "hocobjptr", "same", "baseattr", "ref",
];

/// Names the NEURON backend itself prints into every mod (see `nmodl_expr`).
const GENERATOR_NAMES: &[&str] = &["rng", "nml_H", "nml_factorial"];

#[cfg(test)]
mod tests {
    use super::*;

    fn is_identifier(s: &str) -> bool {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    }

    #[test]
    fn sanitize_keeps_only_identifier_characters() {
        assert_eq!(sanitize("gbar_Na"), "gbar_Na");
        assert_eq!(sanitize("a\"b"), "a_b");
        assert_eq!(sanitize("x\n}"), "x__");
        assert_eq!(sanitize("1cell"), "n1cell");
        assert_eq!(sanitize("é"), "n_");
        assert_eq!(sanitize(""), "n");
        assert_eq!(sanitize("_p"), "n_p");
        assert_eq!(sanitize("pop[0]/v"), "pop_0__v");
        for raw in [
            "a\"b",
            "x\n}",
            "hh",
            "1cell",
            "é",
            "",
            "_",
            "a b",
            "'; import os #",
        ] {
            assert!(
                is_identifier(&sanitize(raw)),
                "{raw:?} -> {}",
                sanitize(raw)
            );
        }
    }

    #[test]
    fn claim_makes_names_unique_with_numeric_suffixes() {
        let mut table = NameTable::new();
        assert_eq!(table.claim("gbar"), "gbar");
        assert_eq!(table.claim("gbar"), "gbar_2");
        assert_eq!(table.claim("gbar"), "gbar_3");
        // Different raw names that sanitise alike stay apart.
        assert_eq!(table.claim("a.b"), "a_b");
        assert_eq!(table.claim("a-b"), "a_b_2");
        assert_eq!(table.claim("a_b_2"), "a_b_2_2");
    }

    #[test]
    fn claim_avoids_keywords_and_builtins() {
        let mut table = NameTable::new();
        for word in [
            "v",
            "t",
            "dt",
            "celsius",
            "area",
            "diam",
            "i",
            "e",
            "hh",
            "pas",
            "IClamp",
            "ExpSyn",
            "na",
            "ena",
            "ina",
            "nai",
            "nao",
            "k",
            "ca",
            "cai",
            "exp",
            "log",
            "sqrt",
            "STATE",
            "PARAMETER",
            "net_send",
            "net_event",
            "net_move",
            "int",
            "class",
            "lambda",
            "data",
            "node",
            "rng",
        ] {
            let got = table.claim(word);
            assert_ne!(got, word, "{word} must be renamed");
            assert_eq!(got, format!("{word}_2"));
            assert!(!is_reserved(&got));
        }
    }

    #[test]
    fn claim_moves_reserved_prefixes_and_suffixes_out_of_the_way() {
        let mut table = NameTable::new();
        assert_eq!(table.claim("random_uniform"), "x_random_uniform");
        assert_eq!(table.claim("nrn_state"), "x_nrn_state");
        assert_eq!(table.claim("hoc_Exp"), "x_hoc_Exp");
        assert_eq!(table.claim("nml_H"), "x_nml_H");
        assert_eq!(table.claim("M_PI_2"), "x_M_PI_2");
        assert_eq!(table.claim("gbar_columnindex"), "gbar_columnindex_2");
    }

    #[test]
    fn claim_keeps_a_state_apart_from_its_derivative_name() {
        let mut table = NameTable::new();
        assert_eq!(table.claim("m"), "m");
        assert_eq!(table.claim("Dm"), "Dm_2");
        let mut table = NameTable::new();
        assert_eq!(table.claim("Dn"), "Dn");
        assert_eq!(table.claim("n"), "n_2");
    }

    #[test]
    fn reserve_blocks_generator_names() {
        let mut table = NameTable::new();
        table.reserve("rate_v");
        assert_eq!(table.claim("rate_v"), "rate_v_2");
        assert_eq!(table.claim("rate.v"), "rate_v_3");
    }

    #[test]
    fn claimed_names_are_identifiers() {
        let mut table = NameTable::new();
        for raw in ["a\"b", "x\n}", "hh", "1cell", "é", "", "", "__init__", "D"] {
            let got = table.claim(raw);
            assert!(is_identifier(&got), "{raw:?} -> {got}");
            assert!(!is_reserved(&got), "{raw:?} -> {got}");
        }
    }

    #[test]
    fn mechanism_names_are_prefixed() {
        assert_eq!(mechanism_name("hh"), "nml_hh");
        assert_eq!(mechanism_name("IClamp"), "nml_IClamp");
        assert_eq!(mechanism_name("1cell"), "nml_n1cell");
        assert_eq!(mechanism_name("a\"b"), "nml_a_b");
    }

    #[test]
    fn long_names_are_shortened_deterministically_and_stay_distinct() {
        let long = "c".repeat(300);
        let short = sanitize(&long);
        assert_eq!(short.len(), MAX_NAME_LEN);
        assert!(is_identifier(&short), "{short}");
        assert!(short.starts_with("ccccc"), "{short}");
        assert_eq!(sanitize(&long), short, "the same id gives the same name");
        assert_ne!(sanitize(&format!("{long}x")), short);
        // Ids that sanitising folds together (a quote and a dash) still differ.
        let a = sanitize(&format!("{long}'"));
        let b = sanitize(&format!("{long}-"));
        assert_ne!(a, b);
        assert!(mechanism_name(&long).len() <= MAX_NAME_LEN + 4);
        // Names within the limit are unchanged.
        let edge = "d".repeat(MAX_NAME_LEN);
        assert_eq!(sanitize(&edge), edge);

        // File names are cut at a character boundary, within the byte limit.
        let accented = "é".repeat(200);
        let cut = shorten(&accented, 248);
        assert!(cut.len() <= 248, "{}", cut.len());
        assert!(cut.starts_with("éé"));
        assert_eq!(shorten("short", 248), "short");
    }

    #[test]
    fn python_strings_escape_everything_that_could_end_the_literal() {
        assert_eq!(python_str("plain"), "'plain'");
        assert_eq!(python_str("a\"b"), "'a\"b'");
        assert_eq!(python_str("it's"), "'it\\'s'");
        assert_eq!(python_str("x\n}"), "'x\\n}'");
        assert_eq!(python_str("a\\b\tc\r"), "'a\\\\b\\tc\\r'");
        assert_eq!(python_str("\u{0}\u{7f}"), "'\\x00\\x7f'");
        assert_eq!(python_str("é"), "'\\u00e9'");
        assert_eq!(python_str("\u{2028}"), "'\\u2028'");
        assert_eq!(python_str("😀"), "'\\U0001f600'");
        assert_eq!(python_str(""), "''");
        for s in ["a\"b", "x\n}", "é", "'; import os #", "\\'"] {
            let lit = python_str(s);
            assert!(lit.chars().all(|c| (' '..='~').contains(&c)), "{lit}");
        }
    }
}
