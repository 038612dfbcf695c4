//! A simulation ready to run, as plain data: what the compiler hands to the runtime.
//!
//! The compiler lowers a model to a [`Program`]: one [`Kernel`] per distinct component (its
//! flattened dynamics as straight-line statements over slots), one [`InstanceRec`] per runtime
//! instance (where its values live), the order in which instances are initialised and advanced,
//! the event connections, and the recorded values. The runtime owns time stepping, event
//! delivery and output; the kernels themselves are run by a [`crate::engine::KernelCode`]
//! (the LLVM-compiled code of the native backend, or the reference interpreter).
//!
//! Storage: all values of a run live in one `f64` array ("vars"). Instance `i` owns
//! `vars[base .. base + block_len]` of its kernel; a [`Expr::Local`] slot `s` of that instance
//! is `vars[base + s]`. Values of *other* instances are read through the instance's links
//! (see [`InstanceRec::links`]). Nothing is named at run time: every path was resolved by the
//! compiler to an index into `vars`.
//!
//! [`print::print`] writes a program as text (`lemsc FILE --emit program`).

use std::path::PathBuf;

pub mod order;
pub mod print;

/// A value computed by a kernel statement. Arithmetic is IEEE double, evaluated as written
/// (no reassociation, no fused multiply-add), so every implementation gives the same bits.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Const(f64),
    /// A slot of the instance itself: `vars[base + slot]`.
    Local(u32),
    /// A single value of another instance: `vars[links[link_start + k]]`.
    Link(u32),
    /// Sum (or product) over a variable-length list of values of other instances: entry
    /// `links[link_start + k]` holds a position `p` in `links`; `links[p]` is the count `n`
    /// and `links[p+1 ..= p+n]` the indices into `vars`, added (multiplied) in that order
    /// starting from 0 (1). An empty list gives 0 (1).
    Reduce(Reduce, u32),
    /// The simulation time `t` (the *new* time `t_n` inside a step, 0 during initialisation).
    Time,
    /// The time step `dt`.
    Step,
    Neg(Box<Expr>),
    /// 1.0 when the operand is 0.0, else 0.0.
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Box<Expr>),
    /// `random(x)`: x times the next `java.util.Random.nextDouble()` of the run's generator.
    Random(Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduce {
    Add,
    Multiply,
}

/// Binary operators. Comparisons and logic give 1.0 or 0.0; `And`/`Or` treat any non-zero
/// operand as true and evaluate both operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `f64::powf`.
    Pow,
    Gt,
    Lt,
    Ge,
    Le,
    Eq,
    Ne,
    And,
    Or,
}

/// One-argument functions, each the Rust `f64` method of the same name (`Log` is `ln`, as in
/// LEMS), except `H(x)`: 0 for x < 0, 0.5 at 0, 1 for x > 0 (NaN stays NaN), and `Factorial`
/// (the product 1·2·…·n of the integer part; 1 for n < 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Exp,
    Ln,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Sinh,
    Cosh,
    Tanh,
    Abs,
    Ceil,
    Floor,
    H,
    Factorial,
}

impl BinOp {
    /// Every operator, in declaration order.
    pub const ALL: [BinOp; 13] = [
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
        BinOp::Pow,
        BinOp::Gt,
        BinOp::Lt,
        BinOp::Ge,
        BinOp::Le,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::And,
        BinOp::Or,
    ];

    /// The operator as C-like languages (NMODL, NESTML, the program dump) write it: they
    /// agree on `+ - * / > < >= <= == !=` and differ on power, and and or, which the caller
    /// spells.
    pub fn c_like_symbol(
        self,
        pow: &'static str,
        and: &'static str,
        or: &'static str,
    ) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => pow,
            BinOp::Gt => ">",
            BinOp::Lt => "<",
            BinOp::Ge => ">=",
            BinOp::Le => "<=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => and,
            BinOp::Or => or,
        }
    }
}

impl Func {
    /// Every function, in declaration order.
    pub const ALL: [Func; 14] = [
        Func::Exp,
        Func::Ln,
        Func::Sqrt,
        Func::Sin,
        Func::Cos,
        Func::Tan,
        Func::Sinh,
        Func::Cosh,
        Func::Tanh,
        Func::Abs,
        Func::Ceil,
        Func::Floor,
        Func::H,
        Func::Factorial,
    ];

    /// The name LEMS gives the function (`ln` for [`Func::Ln`], which LEMS also spells `log`).
    pub fn name(self) -> &'static str {
        match self {
            Func::Exp => "exp",
            Func::Ln => "ln",
            Func::Sqrt => "sqrt",
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Tan => "tan",
            Func::Sinh => "sinh",
            Func::Cosh => "cosh",
            Func::Tanh => "tanh",
            Func::Abs => "abs",
            Func::Ceil => "ceil",
            Func::Floor => "floor",
            Func::H => "H",
            Func::Factorial => "factorial",
        }
    }
}

/// A kernel statement. Statements run in order; each `Set` is visible to the ones after it.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `vars[base + slot] = value`.
    Set { slot: u32, value: Expr },
    /// Runs `then` when `test` is non-zero.
    If { test: Expr, then: Vec<Stmt> },
    /// Marks out-port `port` of this instance as fired (bit `port` of the entry's result).
    /// The runtime delivers the event after the entry returns (see [`crate::engine`]).
    Emit { port: u32 },
    /// Runs `arms[vars[base + slot] as usize]` (the active regime); no arm runs when the
    /// slot is outside `0..arms.len()`.
    Switch { slot: u32, arms: Vec<Vec<Stmt>> },
}

/// The code of one component, shared by all its instances.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Kernel {
    /// What it runs, for messages: the component id and type (`hhcell (cell)`).
    pub name: String,
    /// `f64` slots per instance.
    pub block_len: u32,
    /// Link entries per instance (single values and lists, see [`Expr::Link`]).
    pub link_count: u32,
    /// A name per slot, for messages and `--emit` dumps (`v`, `v@exposed`, `rate:v`).
    pub slot_names: Vec<String>,
    /// State-variable slots: a NaN or infinite value here after `advance` stops the run.
    pub state_slots: Vec<u32>,
    /// Out-port names, indexed by [`Stmt::Emit::port`].
    pub out_ports: Vec<String>,
    /// In-port names, indexed like [`Kernel::on_event`].
    pub in_ports: Vec<String>,
    /// One initialisation pass without derived variables (jLEMS's first pass).
    pub init: Vec<Stmt>,
    /// One initialisation pass with derived variables.
    pub init_derived: Vec<Stmt>,
    /// One time step of the instance's own dynamics (its children are separate instances
    /// advanced by their own [`Op::Advance`] before it).
    pub advance: Vec<Stmt>,
    /// What an event arriving on in-port `k` does.
    pub on_event: Vec<Vec<Stmt>>,
}

/// Where one instance's values live.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceRec {
    /// Index into [`Program::kernels`].
    pub kernel: u32,
    /// First slot of its block in vars.
    pub base: u64,
    /// First of its `link_count` entries in [`Program::links`].
    pub links: u64,
    /// Its LEMS path from the simulation target (`hhpop[0]/bioPhys1/...`), for messages.
    pub path: String,
}

/// One step of the initialisation or stepping order.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Runs the instance's `init` (`with_derived == false`) or `init_derived` pass.
    Init { inst: u32, with_derived: bool },
    /// Runs the instance's `advance`.
    Advance { inst: u32 },
    /// Advances a kinetic scheme by `p <- expm(Q dt) p`. Boxed, like [`Op::Cable`], so an
    /// op is 16 bytes: a network's init order holds millions of [`Op::Init`]s.
    KineticScheme(Box<KineticScheme>),
    /// Advances the membrane potentials of cells with a morphology by one step.
    Cable(Box<CableSolve>),
    /// Runs the `len` ops before it again, repeats among them included (init order only).
    /// jLEMS initialises every subtree twice per visit of its parent, so an instance at
    /// depth d is initialised 2^d times; written out, a 1000-cell network's order held five
    /// million ops, and with repeats it grows with the instance count.
    Repeat { len: u32 },
}

/// The compartments of cells with a morphology, advanced one step by backward Euler with a
/// tree-ordered (Hines) solve, as NEURON's fixed step (`secondorder = 0`) does. With `dv` the
/// change of a node's voltage over the step, each node solves
///
/// ```text
/// (C/dt + G) dv - sum over neighbours n of g_n (dv_n - dv) = I + sum of g_n (v_n - v)
/// ```
///
/// where `I` is the node's membrane current (inward, A) at the old voltages, `G` its
/// conductance `-dI/dV` (S), `C` its capacitance (F) and `g_n` the axial conductance to
/// neighbour `n` (S). Mechanism kernels leave `I` and `G` in vars before the solve.
#[derive(Clone, Debug, PartialEq)]
pub struct CableSolve {
    /// Every node of every tree, each parent before its children.
    pub nodes: Vec<CableNode>,
    /// `[current, conductance]` indices into vars of the membrane contributions of each node
    /// (see [`CableNode::contributions`]).
    pub contributions: Vec<[u64; 2]>,
}

/// One compartment (or one of NEURON's zero-area section ends).
#[derive(Clone, Debug, PartialEq)]
pub struct CableNode {
    /// Index into vars of its voltage (V).
    pub v: u64,
    /// Index of its parent in [`CableSolve::nodes`] (earlier in the list); `None` at a root.
    pub parent: Option<u32>,
    /// Membrane capacitance (F); 0 at a zero-area node.
    pub capacitance: f64,
    /// Axial conductance to the parent (S); unused at a root.
    pub axial: f64,
    /// Its entries of [`CableSolve::contributions`]: `start..end`.
    pub contributions: [u32; 2],
}

/// A kinetic scheme: occupancies in `vars`, transition rates read from `vars`.
#[derive(Clone, Debug, PartialEq)]
pub struct KineticScheme {
    /// The occupancy of each state (indices into vars).
    pub states: Vec<u64>,
    pub edges: Vec<KineticEdge>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KineticEdge {
    /// Positions in [`KineticScheme::states`].
    pub from: u32,
    pub to: u32,
    /// Indices into vars of the forward (from → to) and reverse rate (1/s).
    pub forward: u64,
    pub reverse: u64,
}

/// An event path: out-port `out_port` of `source` feeds in-port `in_port` of `target`.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub source: u32,
    pub out_port: u32,
    pub target: u32,
    pub in_port: u32,
    /// Seconds; `<= 0` delivers at once, otherwise at the first step whose time reaches
    /// `t_sent + delay`.
    pub delay: f64,
}

/// An `OutputFile`: time, then one value per column each step.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputSpec {
    /// The `OutputFile` id, for messages.
    pub id: String,
    /// Where the file goes (already joined with the output folder).
    pub path: PathBuf,
    /// Index into vars of each column, in column order.
    pub columns: Vec<u64>,
}

/// How an `EventOutputFile` lays out a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventFormat {
    TimeId,
    IdTime,
}

/// An `EventOutputFile`: one line per event of the selected out-ports.
#[derive(Clone, Debug, PartialEq)]
pub struct EventOutputSpec {
    pub id: String,
    pub path: PathBuf,
    pub format: EventFormat,
    pub selections: Vec<EventSelectionSpec>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventSelectionSpec {
    pub inst: u32,
    pub out_port: u32,
    /// The `id` attribute of the `EventSelection`, written on each line.
    pub id: String,
}

/// Everything a run needs. `Program::default()` is empty (no steps): hand-built programs
/// name what they have and take the rest from it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    /// Seconds per step.
    pub dt: f64,
    /// Steps to run; the output files get `steps + 1` rows.
    pub steps: u64,
    /// Seed of the run's `java.util.Random`.
    pub seed: i64,
    pub kernels: Vec<Kernel>,
    pub instances: Vec<InstanceRec>,
    /// vars at the start (parameters set per instance, 0 elsewhere); its length is the size
    /// of vars.
    pub initial: Vec<f64>,
    /// Link entries of all instances, and the lists they point to (see [`Expr::Link`] and
    /// [`Expr::Reduce`]).
    pub links: Vec<u64>,
    /// Initialisation order (run once, at t = 0).
    pub init_order: Vec<Op>,
    /// What one step runs, in order.
    pub step_order: Vec<Op>,
    /// In the order jLEMS serves them: for one source port, connections in creation order.
    pub connections: Vec<Connection>,
    pub outputs: Vec<OutputSpec>,
    pub event_outputs: Vec<EventOutputSpec>,
}
