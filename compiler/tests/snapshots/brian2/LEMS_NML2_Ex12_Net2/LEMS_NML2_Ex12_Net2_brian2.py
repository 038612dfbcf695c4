# LEMS_NML2_Ex12_Net2: the LEMS simulation as a Brian2 script, written by lemsc (--target brian2).
#
# Every LEMS instance is a member of the NeuronGroup of its component; each group's step is
# jLEMS's forward Euler written out as statements (run_regularly), groups in jLEMS's order
# (children before parents), time accumulated by addition as jLEMS does. Event connections
# are Synapses. Values are SI numbers. What every script shares (the functions its code
# calls, the build, the output files) is in lemsc_brian2_support.py beside it; the output
# files are written relative to this script's folder, in the native target's format, by
# lemsc_javafloat.py, whose C++ row writer is compiled into the build cache below
# (Python writes when there is no compiler).
#
#   python THIS_SCRIPT [--device cpp_standalone|cython|numpy] [-nogui]
#
# cpp_standalone (the default here) builds in a folder named after a hash of this file, under
# $LEMSC_BRIAN2_CACHE or beside this script, so an unchanged model is not compiled again.

import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import brian2 as b2  # noqa: E402

from lemsc_javafloat import use_native_writer  # noqa: E402
import lemsc_brian2_support as support  # noqa: E402
from lemsc_brian2_support import (  # noqa: E402
    NAMESPACE, _function, _kinetic, cache_root, column, device_from, setup, use_device,
    write_event_file, write_output)

DEFAULT_DEVICE = 'cpp_standalone'
SEED = 1234
DT = 5e-6
STEPS = 60000


def build():
    OBJECTS = []
    # net2 (network)
    g0_net2_network = b2.NeuronGroup(10, 'tl : 1 (shared)', events={}, namespace=NAMESPACE, name='g0_net2_network')
    OBJECTS.append(g0_net2_network)
    # spikersPop (population)
    g1_spikersPop_population = b2.NeuronGroup(4, 's0_size : 1\ntl : 1 (shared)', events={}, namespace=NAMESPACE, name='g1_spikersPop_population')
    OBJECTS.append(g1_spikersPop_population)
    g1_spikersPop_population.s0_size = np.array([1.0, 1.0, 1.0, 9.0])
    # spiker (spikeGenerator)
    g2_spiker_spikeGenerator = b2.NeuronGroup(1, 's0_tsince : 1\ns1_tnext : 1\ns2_period : 1\ns3_SMALL_TIME : 1\ns4_tnext_exposed : 1\ns5_tsince_exposed : 1\ns6_rate_tsince : 1\ns7_rate_tnext : 1\ns8_t : 1\ntl : 1 (shared)\nev0 : 1', events={'e0': 'ev0 > 0.5'}, namespace=NAMESPACE, name='g2_spiker_spikeGenerator')
    OBJECTS.append(g2_spiker_spikeGenerator)
    g2_spiker_spikeGenerator.s1_tnext = 0.03
    g2_spiker_spikeGenerator.s2_period = 0.03
    g2_spiker_spikeGenerator.s3_SMALL_TIME = 1.0000000000000002e-12
    g2_spiker_spikeGenerator.s4_tnext_exposed = 0.03
    g2_spiker_spikeGenerator.thresholder['e0'].when = 'groups'
    g2_spiker_spikeGenerator.thresholder['e0'].order = 11
    g2_spiker_spikeGenerator.run_on_event('e0', 'ev0 = 0', when='groups', order=13)
    g2_spiker_spikeGenerator.run_regularly('tl = tl + 5e-6\ns8_t = tl\ns6_rate_tsince = 1.0\ns7_rate_tnext = 0.0\ns0_tsince = (s0_tsince + (5e-6 * s6_rate_tsince))\ns1_tnext = (s1_tnext + (5e-6 * s7_rate_tnext))\nqc1 = int((s1_tnext - s8_t) < 1.0000000000000002e-12)\ns0_tsince = lemsc_ifelse(qc1, 0.0, s0_tsince)\ns1_tnext = lemsc_ifelse(qc1, (s1_tnext + 0.03), s1_tnext)\nev0 = lemsc_ifelse(qc1, 1, ev0)\ns4_tnext_exposed = s1_tnext\ns5_tsince_exposed = s0_tsince', when='groups', order=10, name='g2_spiker_spikeGenerator_step')
    # spikes2 (spikeArray)
    g3_spikes2_spikeArray = b2.NeuronGroup(2, 's0_tsince : 1\ns1_tsince_exposed : 1\ns2_rate_tsince : 1\ntl : 1 (shared)\nev0 : 1', events={'e0': 'ev0 > 0.5'}, namespace=NAMESPACE, name='g3_spikes2_spikeArray')
    OBJECTS.append(g3_spikes2_spikeArray)
    g3_spikes2_spikeArray.thresholder['e0'].when = 'groups'
    g3_spikes2_spikeArray.thresholder['e0'].order = 31
    g3_spikes2_spikeArray.run_on_event('e0', 'ev0 = 0', when='groups', order=33)
    g3_spikes2_spikeArray.run_regularly('tl = tl + 5e-6\ns2_rate_tsince = 1.0\ns0_tsince = (s0_tsince + (5e-6 * s2_rate_tsince))\ns1_tsince_exposed = s0_tsince', when='groups', order=30, name='g3_spikes2_spikeArray_step')
    # 0 (spike)
    g4_0_spike = b2.NeuronGroup(4, 's0_tsince : 1\ns1_spiked : 1\ns2_time : 1\ns3_spiked_exposed : 1\ns4_tsince_exposed : 1\ns5_rate_tsince : 1\ns6_t : 1\ns8_param : 1\ntl : 1 (shared)\nev0 : 1', events={'e0': 'ev0 > 0.5'}, namespace=NAMESPACE, name='g4_0_spike')
    OBJECTS.append(g4_0_spike)
    g4_0_spike.s2_time = np.array([0.05, 0.1, 0.13, 0.1])
    g4_0_spike.s8_param = np.array([0.05, 0.1, 0.13, 0.1])
    g4_0_spike.thresholder['e0'].when = 'groups'
    g4_0_spike.thresholder['e0'].order = 21
    g4_0_spike.run_on_event('e0', 'ev0 = 0', when='groups', order=23)
    g4_0_spike.run_regularly('tl = tl + 5e-6\ns6_t = tl\ns5_rate_tsince = 1.0\ns0_tsince = (s0_tsince + (5e-6 * s5_rate_tsince))\nqc1 = int((int(s6_t >= s8_param) != 0) and (int(s1_spiked == 0.0) != 0))\ns1_spiked = lemsc_ifelse(qc1, 1.0, s1_spiked)\ns0_tsince = lemsc_ifelse(qc1, 0.0, s0_tsince)\nev0 = lemsc_ifelse(qc1, 1, ev0)\ns3_spiked_exposed = s1_spiked\ns4_tsince_exposed = s0_tsince', when='groups', order=20, name='g4_0_spike_step')
    # iaf1 (iafCell)
    g5_iaf1_iafCell = b2.NeuronGroup(9, 's0_v : 1\ns1_iSyn : 1\ns2_iMemb : 1\ns3_leakReversal : 1\ns4_thresh : 1\ns5_reset : 1\ns6_C : 1\ns7_leakConductance : 1\ns8_iMemb_exposed : 1\ns9_iSyn_exposed : 1\ns10_v_exposed : 1\ns11_rate_v : 1\ntl : 1 (shared)\nev0 : 1\nrd0_0 : 1\nrd0_1 : 1\nrd0_2 : 1', events={}, namespace=NAMESPACE, name='g5_iaf1_iafCell')
    OBJECTS.append(g5_iaf1_iafCell)
    g5_iaf1_iafCell.s0_v = (-0.06)
    g5_iaf1_iafCell.s3_leakReversal = (-0.06)
    g5_iaf1_iafCell.s4_thresh = (-0.035)
    g5_iaf1_iafCell.s5_reset = (-0.065)
    g5_iaf1_iafCell.s6_C = 1.0000000000000001e-11
    g5_iaf1_iafCell.s7_leakConductance = 5e-10
    g5_iaf1_iafCell.s10_v_exposed = (-0.06)
    g5_iaf1_iafCell.run_regularly('tl = tl + 5e-6\ns1_iSyn = (rd0_0 + rd0_1 + rd0_2)\ns2_iMemb = ((5e-10 * ((-0.06) - s0_v)) + s1_iSyn)\ns11_rate_v = (s2_iMemb / 1.0000000000000001e-11)\ns0_v = (s0_v + (5e-6 * s11_rate_v))\nqc1 = int(s0_v > (-0.035))\ns0_v = lemsc_ifelse(qc1, (-0.065), s0_v)\nev0 = lemsc_ifelse(qc1, 1, ev0)\ns8_iMemb_exposed = s2_iMemb\ns9_iSyn_exposed = s1_iSyn\ns10_v_exposed = s0_v', when='groups', order=80, name='g5_iaf1_iafCell_step')
    # ? (connectionWD)
    g6_connectionWD = b2.NeuronGroup(6, 's0_weight : 1\ns1_delay : 1\ntl : 1 (shared)', events={}, namespace=NAMESPACE, name='g6_connectionWD')
    OBJECTS.append(g6_connectionWD)
    g6_connectionWD.s0_weight = np.array([0.5, 0.25, 0.5, 0.25, 0.5, 0.25])
    g6_connectionWD.s1_delay = np.array([0.01, 0.015, 0.01, 0.015, 0.01, 0.015])
    # syn1 (expOneSynapse)
    g7_syn1_expOneSynapse = b2.NeuronGroup(3, 's0_g : 1\ns1_v : 1\ns2_i : 1\ns3_weight : 1\ns4_gbase : 1\ns5_erev : 1\ns6_tauDecay : 1\ns7_g_exposed : 1\ns8_i_exposed : 1\ns9_rate_g : 1\ntl : 1 (shared)\nlk0_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g7_syn1_expOneSynapse')
    OBJECTS.append(g7_syn1_expOneSynapse)
    g7_syn1_expOneSynapse.s1_v = (-0.06)
    g7_syn1_expOneSynapse.s3_weight = np.array([1.0, 0.5, 0.25])
    g7_syn1_expOneSynapse.s4_gbase = 1.0000000000000002e-10
    g7_syn1_expOneSynapse.s6_tauDecay = 0.002
    g7_syn1_expOneSynapse.run_regularly('tl = tl + 5e-6\ns1_v = (lk0_0)\ns2_i = (s0_g * (0.0 - s1_v))\ns9_rate_g = ((-s0_g) / 0.002)\ns0_g = (s0_g + (5e-6 * s9_rate_g))\ns7_g_exposed = s0_g\ns8_i_exposed = s2_i', when='groups', order=40, name='g7_syn1_expOneSynapse_step')
    # syn2 (expTwoSynapse)
    g8_syn2_expTwoSynapse = b2.NeuronGroup(3, 's0_A : 1\ns1_B : 1\ns2_v : 1\ns3_g : 1\ns4_i : 1\ns5_weight : 1\ns6_gbase : 1\ns7_erev : 1\ns8_tauDecay : 1\ns9_tauRise : 1\ns10_peakTime : 1\ns11_waveformFactor : 1\ns12_g_exposed : 1\ns13_i_exposed : 1\ns14_rate_A : 1\ns15_rate_B : 1\ntl : 1 (shared)\nlk0_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g8_syn2_expTwoSynapse')
    OBJECTS.append(g8_syn2_expTwoSynapse)
    g8_syn2_expTwoSynapse.s2_v = (-0.06)
    g8_syn2_expTwoSynapse.s5_weight = np.array([1.0, 0.5, 0.25])
    g8_syn2_expTwoSynapse.s6_gbase = 1.0000000000000002e-10
    g8_syn2_expTwoSynapse.s8_tauDecay = 0.002
    g8_syn2_expTwoSynapse.s9_tauRise = 5e-5
    g8_syn2_expTwoSynapse.s10_peakTime = 0.00018917330533917622
    g8_syn2_expTwoSynapse.s11_waveformFactor = 1.1273891364130213
    g8_syn2_expTwoSynapse.run_regularly('tl = tl + 5e-6\ns2_v = (lk0_0)\ns3_g = (1.0000000000000002e-10 * (s1_B - s0_A))\ns4_i = (s3_g * (0.0 - s2_v))\ns14_rate_A = ((-s0_A) / 5e-5)\ns15_rate_B = ((-s1_B) / 0.002)\ns0_A = (s0_A + (5e-6 * s14_rate_A))\ns1_B = (s1_B + (5e-6 * s15_rate_B))\ns12_g_exposed = s3_g\ns13_i_exposed = s4_i', when='groups', order=50, name='g8_syn2_expTwoSynapse_step')
    # synNmda (blockingPlasticSynapse)
    g9_synNmda_blockingPlasticSynapse = b2.NeuronGroup(3, 's0_A : 1\ns1_B : 1\ns2_v : 1\ns3_plasticityFactor : 1\ns4_blockFactor : 1\ns5_g : 1\ns6_i : 1\ns7_weight : 1\ns8_gbase : 1\ns9_tauDecay : 1\ns10_tauRise : 1\ns11_erev : 1\ns12_peakTime : 1\ns13_waveformFactor : 1\ns14_g_exposed : 1\ns15_i_exposed : 1\ns16_rate_A : 1\ns17_rate_B : 1\ntl : 1 (shared)\nev0 : 1\nlk0_0 : 1 (linked)\nlk2_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g9_synNmda_blockingPlasticSynapse')
    OBJECTS.append(g9_synNmda_blockingPlasticSynapse)
    g9_synNmda_blockingPlasticSynapse.s2_v = (-0.06)
    g9_synNmda_blockingPlasticSynapse.s3_plasticityFactor = 1.0
    g9_synNmda_blockingPlasticSynapse.s4_blockFactor = 0.037337202269159056
    g9_synNmda_blockingPlasticSynapse.s7_weight = np.array([1.0, 0.5, 0.25])
    g9_synNmda_blockingPlasticSynapse.s8_gbase = 5e-9
    g9_synNmda_blockingPlasticSynapse.s9_tauDecay = 0.01
    g9_synNmda_blockingPlasticSynapse.s10_tauRise = 0.001
    g9_synNmda_blockingPlasticSynapse.s12_peakTime = 0.002558427881104495
    g9_synNmda_blockingPlasticSynapse.s13_waveformFactor = 1.4350551833498708
    g9_synNmda_blockingPlasticSynapse.run_regularly('tl = tl + 5e-6\ns2_v = (lk0_0)\ns3_plasticityFactor = 1.0\ns4_blockFactor = (lk2_0)\ns5_g = ((s4_blockFactor * 5e-9) * (s1_B - s0_A))\ns6_i = (s5_g * (0.0 - s2_v))\ns16_rate_A = ((-s0_A) / 0.001)\ns17_rate_B = ((-s1_B) / 0.01)\ns0_A = (s0_A + (5e-6 * s16_rate_A))\ns1_B = (s1_B + (5e-6 * s17_rate_B))\ns14_g_exposed = s5_g\ns15_i_exposed = s6_i', when='groups', order=70, name='g9_synNmda_blockingPlasticSynapse_step')
    # ? (voltageConcDepBlockMechanism)
    g10_voltageConcDepBlockMechanism = b2.NeuronGroup(3, 's0_v : 1\ns1_blockFactor : 1\ns2_blockConcentration : 1\ns3_scalingConc : 1\ns4_scalingVolt : 1\ns5_blockFactor_exposed : 1\ntl : 1 (shared)\nlk0_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g10_voltageConcDepBlockMechanism')
    OBJECTS.append(g10_voltageConcDepBlockMechanism)
    g10_voltageConcDepBlockMechanism.s0_v = (-0.06)
    g10_voltageConcDepBlockMechanism.s1_blockFactor = 0.037337202269159056
    g10_voltageConcDepBlockMechanism.s2_blockConcentration = 1.2
    g10_voltageConcDepBlockMechanism.s3_scalingConc = 1.9205441817997078
    g10_voltageConcDepBlockMechanism.s4_scalingVolt = 0.016129032258064516
    g10_voltageConcDepBlockMechanism.s5_blockFactor_exposed = 0.037337202269159056
    g10_voltageConcDepBlockMechanism.run_regularly('tl = tl + 5e-6\ns0_v = (lk0_0)\ns1_blockFactor = (1.0 / (1.0 + ((1.2 / 1.9205441817997078) * exp(((-1.0) * (s0_v / 0.016129032258064516))))))\ns5_blockFactor_exposed = s1_blockFactor', when='groups', order=60, name='g10_voltageConcDepBlockMechanism_step')
    g7_syn1_expOneSynapse.lk0_0 = b2.linked_var(g5_iaf1_iafCell, 's10_v_exposed', index=np.array([0, 1, 2], dtype=np.int64))
    g8_syn2_expTwoSynapse.lk0_0 = b2.linked_var(g5_iaf1_iafCell, 's10_v_exposed', index=np.array([3, 4, 5], dtype=np.int64))
    g9_synNmda_blockingPlasticSynapse.lk0_0 = b2.linked_var(g5_iaf1_iafCell, 's10_v_exposed', index=np.array([6, 7, 8], dtype=np.int64))
    g9_synNmda_blockingPlasticSynapse.lk2_0 = b2.linked_var(g10_voltageConcDepBlockMechanism, 's5_blockFactor_exposed', index=np.array([0, 1, 2], dtype=np.int64))
    g10_voltageConcDepBlockMechanism.lk0_0 = b2.linked_var(g9_synNmda_blockingPlasticSynapse, 's2_v', index=np.array([0, 1, 2], dtype=np.int64))
    sum5_0 = b2.Synapses(g7_syn1_expOneSynapse, g5_iaf1_iafCell, model='rd0_0_post = s8_i_exposed_pre : 1 (summed)', namespace=NAMESPACE, name='sum5_0')
    sum5_0.connect(i=np.array([0, 1, 2], dtype=np.int64), j=np.array([0, 1, 2], dtype=np.int64))
    sum5_0.summed_updaters['rd0_0_post'].when = 'groups'
    sum5_0.summed_updaters['rd0_0_post'].order = 79
    OBJECTS.append(sum5_0)
    sum5_1 = b2.Synapses(g8_syn2_expTwoSynapse, g5_iaf1_iafCell, model='rd0_1_post = s13_i_exposed_pre : 1 (summed)', namespace=NAMESPACE, name='sum5_1')
    sum5_1.connect(i=np.array([0, 1, 2], dtype=np.int64), j=np.array([3, 4, 5], dtype=np.int64))
    sum5_1.summed_updaters['rd0_1_post'].when = 'groups'
    sum5_1.summed_updaters['rd0_1_post'].order = 79
    OBJECTS.append(sum5_1)
    sum5_2 = b2.Synapses(g9_synNmda_blockingPlasticSynapse, g5_iaf1_iafCell, model='rd0_2_post = s15_i_exposed_pre : 1 (summed)', namespace=NAMESPACE, name='sum5_2')
    sum5_2.connect(i=np.array([0, 1, 2], dtype=np.int64), j=np.array([6, 7, 8], dtype=np.int64))
    sum5_2.summed_updaters['rd0_2_post'].when = 'groups'
    sum5_2.summed_updaters['rd0_2_post'].order = 79
    OBJECTS.append(sum5_2)
    ev0_spikes2_spikeArray = b2.Synapses(g4_0_spike, g3_spikes2_spikeArray, model='tshift : 1', on_pre='s0_tsince_post = 0.0\nev0_post = 1', on_event='e0', namespace=NAMESPACE, name='ev0_spikes2_spikeArray')
    ev0_spikes2_spikeArray.connect(i=np.array([0, 1, 2, 3], dtype=np.int64), j=np.array([0, 0, 0, 1], dtype=np.int64))
    for p in ev0_spikes2_spikeArray._pathways:
        p.when = 'groups'
        p.order = 22
    OBJECTS.append(ev0_spikes2_spikeArray)
    NAMESPACE['lemsc_on_time1'], NAMESPACE['lemsc_late1'] = delivery_tables([None, (0.01, 2000, 2000), (0.015, 3000, 3000)])
    ev1_syn1_expOneSynapse = b2.Synapses(g3_spikes2_spikeArray, g7_syn1_expOneSynapse, model='tshift : 1\ndclass : integer', on_pre={'pre': 'qdeliver = lemsc_on_time1(t, dclass)\ns0_g_post = lemsc_ifelse(qdeliver, (s0_g_post + (s3_weight_post * 1.0000000000000002e-10)), s0_g_post)', 'late': 'qdeliver = lemsc_late1(t, dclass)\ns0_g_post = lemsc_ifelse(qdeliver, (s0_g_post + (s3_weight_post * 1.0000000000000002e-10)), s0_g_post)'}, on_event='e0', namespace=NAMESPACE, name='ev1_syn1_expOneSynapse')
    ev1_syn1_expOneSynapse.connect(i=np.array([1, 1, 1], dtype=np.int64), j=np.array([0, 1, 2], dtype=np.int64))
    ev1_syn1_expOneSynapse.dclass = np.array([0, 1, 2], dtype=np.int64)
    ev1_syn1_expOneSynapse.pre.delay = np.array([0.0, 0.01, 0.015000000000000001]) * b2.second
    ev1_syn1_expOneSynapse.late.delay = np.array([5e-6, 0.010005, 0.015005000000000001]) * b2.second
    for p in ev1_syn1_expOneSynapse._pathways:
        p.when = 'groups'
        p.order = 32
    OBJECTS.append(ev1_syn1_expOneSynapse)
    NAMESPACE['lemsc_on_time2'], NAMESPACE['lemsc_late2'] = delivery_tables([None, (0.01, 2000, 2000), (0.015, 3000, 3000)])
    ev2_syn2_expTwoSynapse = b2.Synapses(g3_spikes2_spikeArray, g8_syn2_expTwoSynapse, model='tshift : 1\ndclass : integer', on_pre={'pre': 'qdeliver = lemsc_on_time2(t, dclass)\ns0_A_post = lemsc_ifelse(qdeliver, (s0_A_post + (s5_weight_post * 1.1273891364130213)), s0_A_post)\ns1_B_post = lemsc_ifelse(qdeliver, (s1_B_post + (s5_weight_post * 1.1273891364130213)), s1_B_post)', 'late': 'qdeliver = lemsc_late2(t, dclass)\ns0_A_post = lemsc_ifelse(qdeliver, (s0_A_post + (s5_weight_post * 1.1273891364130213)), s0_A_post)\ns1_B_post = lemsc_ifelse(qdeliver, (s1_B_post + (s5_weight_post * 1.1273891364130213)), s1_B_post)'}, on_event='e0', namespace=NAMESPACE, name='ev2_syn2_expTwoSynapse')
    ev2_syn2_expTwoSynapse.connect(i=np.array([0, 0, 0], dtype=np.int64), j=np.array([0, 1, 2], dtype=np.int64))
    ev2_syn2_expTwoSynapse.dclass = np.array([0, 1, 2], dtype=np.int64)
    ev2_syn2_expTwoSynapse.pre.delay = np.array([0.0, 0.01, 0.015000000000000001]) * b2.second
    ev2_syn2_expTwoSynapse.late.delay = np.array([5e-6, 0.010005, 0.015005000000000001]) * b2.second
    for p in ev2_syn2_expTwoSynapse._pathways:
        p.when = 'groups'
        p.order = 32
    OBJECTS.append(ev2_syn2_expTwoSynapse)
    NAMESPACE['lemsc_on_time3'], NAMESPACE['lemsc_late3'] = delivery_tables([None, (0.01, 2000, 2000), (0.015, 3000, 3000)])
    ev3_synNmda_blockingPlasticS = b2.Synapses(g2_spiker_spikeGenerator, g9_synNmda_blockingPlasticSynapse, model='tshift : 1\ndclass : integer', on_pre={'pre': 'qdeliver = lemsc_on_time3(t, dclass)\ns0_A_post = lemsc_ifelse(qdeliver, (s0_A_post + ((s7_weight_post * s3_plasticityFactor_post) * 1.4350551833498708)), s0_A_post)\ns1_B_post = lemsc_ifelse(qdeliver, (s1_B_post + ((s7_weight_post * s3_plasticityFactor_post) * 1.4350551833498708)), s1_B_post)\nev0_post = lemsc_ifelse(qdeliver, 1, ev0_post)', 'late': 'qdeliver = lemsc_late3(t, dclass)\ns0_A_post = lemsc_ifelse(qdeliver, (s0_A_post + ((s7_weight_post * s3_plasticityFactor_post) * 1.4350551833498708)), s0_A_post)\ns1_B_post = lemsc_ifelse(qdeliver, (s1_B_post + ((s7_weight_post * s3_plasticityFactor_post) * 1.4350551833498708)), s1_B_post)\nev0_post = lemsc_ifelse(qdeliver, 1, ev0_post)'}, on_event='e0', namespace=NAMESPACE, name='ev3_synNmda_blockingPlasticS')
    ev3_synNmda_blockingPlasticS.connect(i=np.array([0, 0, 0], dtype=np.int64), j=np.array([0, 1, 2], dtype=np.int64))
    ev3_synNmda_blockingPlasticS.dclass = np.array([0, 1, 2], dtype=np.int64)
    ev3_synNmda_blockingPlasticS.pre.delay = np.array([0.0, 0.01, 0.015000000000000001]) * b2.second
    ev3_synNmda_blockingPlasticS.late.delay = np.array([5e-6, 0.010005, 0.015005000000000001]) * b2.second
    for p in ev3_synNmda_blockingPlasticS._pathways:
        p.when = 'groups'
        p.order = 12
    OBJECTS.append(ev3_synNmda_blockingPlasticS)
    mon5 = b2.StateMonitor(g5_iaf1_iafCell, ['s10_v_exposed'], record=np.array([0, 1, 2, 3, 4, 5, 6, 7, 8], dtype=np.int64), when='end', order=1000, name='mon5')
    OBJECTS.append(mon5)
    evmon2_0 = b2.EventMonitor(g2_spiker_spikeGenerator, 'e0', record=True, name='evmon2_0')
    OBJECTS.append(evmon2_0)
    return OBJECTS


def run():
    # The objects by name, for reading the monitors after the run.
    objects = build()
    b2.Network(objects).run(STEPS * DT * b2.second, namespace={})
    return {o.name: o for o in objects}


def delivery_tables(classes):
    # Two functions of (Brian2's t, class): 1 where the event that a connection's on-time
    # (`pre`) or one-step-later (`late`) pathway delivers in that step is one jLEMS delivers
    # then. A class is (delay, steps, pathway steps): an event sent in step n is due at
    # TIMES[n] + delay and delivered in the first step whose time reaches that, `steps` or
    # `steps + 1` after n; the on-time pathway delivers it `pathway steps` after Brian2 sent
    # it (in its step n - 1). Class None: connections that are always on time.
    on_time = np.zeros((STEPS, len(classes)))
    late = np.zeros((STEPS, len(classes)))
    sent = np.arange(1, STEPS + 1)
    for c, cls in enumerate(classes):
        if cls is None:
            on_time[:, c] = 1.0
            continue
        delay, steps, pathway = cls
        times = support.TIMES
        waits = np.searchsorted(times, times[1:] + delay, side='left') - sent
        for table, extra in ((on_time, 0), (late, 1)):
            at = sent - 1 + pathway + extra
            inside = at < STEPS
            table[at[inside], c] = (waits[inside] == steps + extra)
    return (b2.TimedArray(on_time, dt=DT * b2.second),
            b2.TimedArray(late, dt=DT * b2.second))


def main(argv):
    os.chdir(HERE)
    np.seterr(all='ignore')
    setup(__file__, STEPS, DT)
    use_device(device_from(argv, DEFAULT_DEVICE), SEED)
    use_native_writer(cache_root())
    OBJ = run()
    write_output('results/ex12.dat', [column(OBJ['mon5'], 's10_v_exposed', 0, (-0.06)), column(OBJ['mon5'], 's10_v_exposed', 1, (-0.06)), column(OBJ['mon5'], 's10_v_exposed', 2, (-0.06)), column(OBJ['mon5'], 's10_v_exposed', 3, (-0.06)), column(OBJ['mon5'], 's10_v_exposed', 4, (-0.06)), column(OBJ['mon5'], 's10_v_exposed', 5, (-0.06)), column(OBJ['mon5'], 's10_v_exposed', 6, (-0.06)), column(OBJ['mon5'], 's10_v_exposed', 7, (-0.06)), column(OBJ['mon5'], 's10_v_exposed', 8, (-0.06))])
    write_event_file('results/ex12.spikes', 'ID_TIME', [(OBJ['evmon2_0'], 0, '0', 0)])


if __name__ == '__main__':
    main(sys.argv)
