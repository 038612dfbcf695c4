//! `pyr-net`: the generated network of detailed cells that `--multicompartment` times. N
//! copies of the 9-compartment pyramidal cell `pyr_4_sym` of `LEMSexamples/morphologies/`
//! (Na, Kdr, Ca, KAHP, leak, a calcium pool), each receiving K `connectionWD` inputs on
//! randomly chosen compartments (80 % excitatory, 20 % inhibitory `expTwoSynapse`, delays
//! 1-5 ms) and one `pulseGenerator` on its soma, with weights spread so that some cells fire
//! and some stay quiet. Every cell's spikes go to an `ID_TIME` `EventOutputFile`, so the
//! engines' spike counts can be compared as the point-network benchmark does.
//!
//! Written here rather than by `gen_models.py`: the cell and its channels are the example's
//! own files, copied next to the network, and only the network and LEMS files are generated.
//! A fixed-seed SplitMix64 makes the files the same on every run for the same N.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The cell and the files it includes, copied from `LEMSexamples/morphologies/`.
pub(super) const CELL_FILES: &[&str] = &[
    "pyr_4_sym.cell.nml",
    "Ca_conc.nml",
    "Ca_pyr.channel.nml",
    "Kahp_pyr.channel.nml",
    "Kdr_pyr.channel.nml",
    "LeakConductance_pyr.channel.nml",
    "Na_pyr.channel.nml",
];
const CELL: &str = "pyr_4_sym";
/// Segments of `pyr_4_sym` (soma, five apical, three basal).
const SEGMENTS: u64 = 9;
/// Incoming connections per cell (80 % excitatory).
pub(super) const INPUTS_PER_CELL: usize = 20;
const SEED: u64 = 1234;
pub(super) const STEP_MS: f64 = 0.025;

/// The generated files of one network.
pub(super) struct PyrNet {
    pub lems: PathBuf,
    pub network: PathBuf,
    /// `results/<stem>.spikes`, relative to the run's output folder.
    pub spikes: String,
}

/// Writes `folder/pyr-net_N<n>.net.nml` and `folder/LEMS_pyr-net_N<n>.xml` (`ms` simulated)
/// and copies the cell's files from `morphologies` into `folder`.
pub(super) fn write(
    folder: &Path,
    morphologies: &Path,
    cells: usize,
    ms: f64,
) -> Result<PyrNet, String> {
    std::fs::create_dir_all(folder.join("results"))
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    for name in CELL_FILES {
        let from = morphologies.join(name);
        std::fs::copy(&from, folder.join(name))
            .map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
    }
    let stem = format!("pyr-net_N{cells}");
    let net = PyrNet {
        lems: folder.join(format!("LEMS_{stem}.xml")),
        network: folder.join(format!("{stem}.net.nml")),
        spikes: format!("results/{stem}.spikes"),
    };
    let write = |path: &Path, text: String| {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(&net.network, network_text(cells))?;
    let network_name = file_name(&net.network);
    write(&net.lems, lems_text(&network_name, &stem, cells, ms))?;
    Ok(net)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// SplitMix64: small, fixed, and the same on every platform.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn network_text(cells: usize) -> String {
    let mut rng = Random(SEED);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <neuroml xmlns=\"http://www.neuroml.org/schema/neuroml2\" id=\"pyr_net\">\n    \
         <include href=\"{CELL}.cell.nml\"/>\n    \
         <expTwoSynapse id=\"synE\" gbase=\"0.5nS\" erev=\"0mV\" tauRise=\"0.5ms\" tauDecay=\"5ms\"/>\n    \
         <expTwoSynapse id=\"synI\" gbase=\"1nS\" erev=\"-80mV\" tauRise=\"0.5ms\" tauDecay=\"10ms\"/>\n    \
         <pulseGenerator id=\"drive\" delay=\"20ms\" duration=\"1e9ms\" amplitude=\"0.2nA\"/>\n    \
         <network id=\"net\" type=\"networkWithTemperature\" temperature=\"6.3degC\">\n        \
         <population id=\"pop\" component=\"{CELL}\" size=\"{cells}\" type=\"populationList\">"
    );
    for i in 0..cells {
        let _ = writeln!(
            s,
            "            <instance id=\"{i}\"><location x=\"{}\" y=\"0\" z=\"0\"/></instance>",
            i * 100
        );
    }
    let _ = writeln!(s, "        </population>");
    // The first 80 % of the cells excite, the rest inhibit.
    let excitatory = (cells * 4).div_ceil(5).max(1);
    let from_excitatory = (INPUTS_PER_CELL * 4).div_ceil(5);
    for (projection, synapse, pool, count) in [
        ("projE", "synE", 0..excitatory, from_excitatory),
        (
            "projI",
            "synI",
            excitatory..cells,
            INPUTS_PER_CELL - from_excitatory,
        ),
    ] {
        if pool.is_empty() || count == 0 {
            continue;
        }
        let _ = writeln!(
            s,
            "        <projection id=\"{projection}\" presynapticPopulation=\"pop\" \
             postsynapticPopulation=\"pop\" synapse=\"{synapse}\">"
        );
        let mut id = 0;
        for post in 0..cells {
            for _ in 0..count {
                let pre = pool.start + rng.below(pool.len() as u64) as usize;
                let segment = rng.below(SEGMENTS);
                let weight = rng.uniform(0.5, 1.5);
                let delay = (rng.uniform(1.0, 5.0) * 10.0).round() / 10.0;
                if pre == post {
                    continue;
                }
                let _ = writeln!(
                    s,
                    "            <connectionWD id=\"{id}\" preCellId=\"../pop/{pre}/{CELL}\" \
                     preSegmentId=\"0\" preFractionAlong=\"0.5\" postCellId=\"../pop/{post}/{CELL}\" \
                     postSegmentId=\"{segment}\" postFractionAlong=\"0.5\" weight=\"{weight:.4}\" \
                     delay=\"{delay:.1}ms\"/>"
                );
                id += 1;
            }
        }
        let _ = writeln!(s, "        </projection>");
    }
    let _ = writeln!(
        s,
        "        <inputList id=\"drive_in\" population=\"pop\" component=\"drive\">"
    );
    for i in 0..cells {
        let weight = rng.uniform(0.3, 1.5);
        let _ = writeln!(
            s,
            "            <inputW id=\"{i}\" target=\"../pop/{i}/{CELL}\" segmentId=\"0\" \
             fractionAlong=\"0.5\" destination=\"synapses\" weight=\"{weight:.4}\"/>"
        );
    }
    let _ = writeln!(s, "        </inputList>\n    </network>\n</neuroml>");
    s
}

fn lems_text(network_file: &str, stem: &str, cells: usize, ms: f64) -> String {
    let mut s = String::from("<Lems>\n    <Target component=\"sim\"/>\n");
    for core in [
        "NeuroMLCoreDimensions.xml",
        "Cells.xml",
        "Synapses.xml",
        "Inputs.xml",
        "Networks.xml",
        "Simulation.xml",
    ] {
        let _ = writeln!(s, "    <Include file=\"{core}\"/>");
    }
    let _ = writeln!(
        s,
        "    <Include file=\"{network_file}\"/>\n    \
         <Simulation id=\"sim\" length=\"{ms}ms\" step=\"{STEP_MS}ms\" target=\"net\" seed=\"{SEED}\">\n        \
         <OutputFile id=\"vfile\" fileName=\"results/{stem}.v.dat\">\n            \
         <OutputColumn id=\"v0\" quantity=\"pop/0/{CELL}/0/v\"/>\n        \
         </OutputFile>\n        \
         <EventOutputFile id=\"spikes\" fileName=\"results/{stem}.spikes\" format=\"ID_TIME\">"
    );
    for i in 0..cells {
        let _ = writeln!(
            s,
            "            <EventSelection id=\"{i}\" select=\"pop/{i}/{CELL}\" eventPort=\"spike\"/>"
        );
    }
    let _ = writeln!(s, "        </EventOutputFile>\n    </Simulation>\n</Lems>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_is_deterministic_and_wires_every_cell() {
        let text = network_text(10);
        assert_eq!(text, network_text(10));
        assert_eq!(text.matches("<instance ").count(), 10);
        assert_eq!(text.matches("<inputW ").count(), 10);
        let connections = text.matches("<connectionWD ").count();
        // Self connections are dropped, so a few of the 10 x 20 are missing.
        assert!((150..=200).contains(&connections), "{connections}");
        assert!(!text.contains("postSegmentId=\"9\""));
        let lems = lems_text("n.net.nml", "pyr-net_N10", 10, 50.0);
        assert_eq!(lems.matches("<EventSelection ").count(), 10);
        assert!(lems.contains("length=\"50ms\""), "{lems}");
    }
}
