# LEMS_NML2_Ex4_KS: the LEMS simulation as a Brian2 script, written by lemsc (--target brian2).
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
DT = 1e-5
STEPS = 30000


def build():
    OBJECTS = []
    # net1 (network)
    g0_net1_network = b2.NeuronGroup(2, 'tl : 1 (shared)', events={}, namespace=NAMESPACE, name='g0_net1_network')
    OBJECTS.append(g0_net1_network)
    # hhpop (population)
    g1_hhpop_population = b2.NeuronGroup(1, 's0_size : 1\ntl : 1 (shared)', events={}, namespace=NAMESPACE, name='g1_hhpop_population')
    OBJECTS.append(g1_hhpop_population)
    g1_hhpop_population.s0_size = 1.0
    # hhcell_1 (pointCellCondBased)
    g2_hhcell_1_pointCellCondBased = b2.NeuronGroup(1, 's0_v : 1\ns1_spiking : 1\ns2_iChannels : 1\ns3_iSyn : 1\ns4_iMemb : 1\ns5_C : 1\ns6_v0 : 1\ns7_thresh : 1\ns8_iMemb_exposed : 1\ns9_iSyn_exposed : 1\ns10_v_exposed : 1\ns11_rate_v : 1\ntl : 1 (shared)\nev0 : 1\nlk0_0 : 1 (linked)\nlk0_1 : 1 (linked)\nlk1_0 : 1 (linked)', events={'e0': 'ev0 > 0.5'}, namespace=NAMESPACE, name='g2_hhcell_1_pointCellCondBased')
    OBJECTS.append(g2_hhcell_1_pointCellCondBased)
    g2_hhcell_1_pointCellCondBased.s0_v = (-0.065)
    g2_hhcell_1_pointCellCondBased.s2_iChannels = 1.220057176465433e-12
    g2_hhcell_1_pointCellCondBased.s4_iMemb = 1.220057176465433e-12
    g2_hhcell_1_pointCellCondBased.s5_C = 1e-12
    g2_hhcell_1_pointCellCondBased.s6_v0 = (-0.065)
    g2_hhcell_1_pointCellCondBased.s7_thresh = (-0.02)
    g2_hhcell_1_pointCellCondBased.s8_iMemb_exposed = 1.220057176465433e-12
    g2_hhcell_1_pointCellCondBased.s10_v_exposed = (-0.065)
    g2_hhcell_1_pointCellCondBased.thresholder['e0'].when = 'groups'
    g2_hhcell_1_pointCellCondBased.thresholder['e0'].order = 151
    g2_hhcell_1_pointCellCondBased.run_on_event('e0', 'ev0 = 0', when='groups', order=153)
    g2_hhcell_1_pointCellCondBased.run_regularly('tl = tl + 1e-5\ns2_iChannels = (lk0_0 + lk0_1)\ns3_iSyn = (lk1_0)\ns4_iMemb = (s2_iChannels + s3_iSyn)\ns11_rate_v = (s4_iMemb / 1e-12)\ns0_v = (s0_v + (1e-5 * s11_rate_v))\nqc1 = int((int(s0_v > (-0.02)) != 0) and (int(s1_spiking < 0.5) != 0))\ns1_spiking = lemsc_ifelse(qc1, 1.0, s1_spiking)\nev0 = lemsc_ifelse(qc1, 1, ev0)\nqc2 = int(s0_v < (-0.02))\ns1_spiking = lemsc_ifelse(qc2, 0.0, s1_spiking)\ns8_iMemb_exposed = s4_iMemb\ns9_iSyn_exposed = s3_iSyn\ns10_v_exposed = s0_v', when='groups', order=150, name='g2_hhcell_1_pointCellCondBased_step')
    # na_chans (channelPopulation)
    g3_na_chans_channelPopulation = b2.NeuronGroup(1, 's0_v : 1\ns1_channelg : 1\ns2_geff : 1\ns3_i : 1\ns4_number : 1\ns5_erev : 1\ns6_vShift : 1\ns7_i_exposed : 1\ntl : 1 (shared)\nlk0_0 : 1 (linked)\nlk1_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g3_na_chans_channelPopulation')
    OBJECTS.append(g3_na_chans_channelPopulation)
    g3_na_chans_channelPopulation.s0_v = (-0.065)
    g3_na_chans_channelPopulation.s1_channelg = 1.768198806471642e-15
    g3_na_chans_channelPopulation.s2_geff = 1.0609192838829852e-11
    g3_na_chans_channelPopulation.s3_i = 1.220057176465433e-12
    g3_na_chans_channelPopulation.s4_number = 6000.0
    g3_na_chans_channelPopulation.s5_erev = 0.05
    g3_na_chans_channelPopulation.s7_i_exposed = 1.220057176465433e-12
    g3_na_chans_channelPopulation.run_regularly('tl = tl + 1e-5\ns0_v = (lk0_0)\ns1_channelg = (lk1_0)\ns2_geff = (s1_channelg * 6000.0)\ns3_i = (s2_geff * (0.05 - s0_v))\ns7_i_exposed = s3_i', when='groups', order=70, name='g3_na_chans_channelPopulation_step')
    # na (ionChannelHH)
    g4_na_ionChannelHH = b2.NeuronGroup(1, 's0_v : 1\ns1_conductanceScale : 1\ns2_fopen0 : 1\ns3_fopen : 1\ns4_g : 1\ns5_conductance : 1\ns6_fopen_exposed : 1\ns7_g_exposed : 1\ntl : 1 (shared)\nlk0_0 : 1 (linked)\nlk2_0 : 1 (linked)\nlk2_1 : 1 (linked)', events={}, namespace=NAMESPACE, name='g4_na_ionChannelHH')
    OBJECTS.append(g4_na_ionChannelHH)
    g4_na_ionChannelHH.s0_v = (-0.065)
    g4_na_ionChannelHH.s1_conductanceScale = 1.0
    g4_na_ionChannelHH.s2_fopen0 = 8.84099403235821e-5
    g4_na_ionChannelHH.s3_fopen = 8.84099403235821e-5
    g4_na_ionChannelHH.s4_g = 1.768198806471642e-15
    g4_na_ionChannelHH.s5_conductance = 2e-11
    g4_na_ionChannelHH.s6_fopen_exposed = 8.84099403235821e-5
    g4_na_ionChannelHH.s7_g_exposed = 1.768198806471642e-15
    g4_na_ionChannelHH.run_regularly('tl = tl + 1e-5\ns0_v = (lk0_0)\ns1_conductanceScale = 1.0\ns2_fopen0 = (lk2_0 * lk2_1)\ns3_fopen = (s1_conductanceScale * s2_fopen0)\ns4_g = (2e-11 * s3_fopen)\ns6_fopen_exposed = s3_fopen\ns7_g_exposed = s4_g', when='groups', order=60, name='g4_na_ionChannelHH_step')
    # m (gateHHrates)
    g5_m_gateHHrates = b2.NeuronGroup(1, 's0_q : 1\ns1_rateScale : 1\ns2_alpha : 1\ns3_beta : 1\ns4_fcond : 1\ns5_inf : 1\ns6_tau : 1\ns7_instances : 1\ns8_alpha_exposed : 1\ns9_beta_exposed : 1\ns10_fcond_exposed : 1\ns11_inf_exposed : 1\ns12_q_exposed : 1\ns13_rateScale_exposed : 1\ns14_tau_exposed : 1\ns15_rate_q : 1\ntl : 1 (shared)\nlk1_0 : 1 (linked)\nlk2_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g5_m_gateHHrates')
    OBJECTS.append(g5_m_gateHHrates)
    g5_m_gateHHrates.s0_q = 0.05293248525724958
    g5_m_gateHHrates.s1_rateScale = 1.0
    g5_m_gateHHrates.s2_alpha = 223.56372458463005
    g5_m_gateHHrates.s3_beta = 4000.0
    g5_m_gateHHrates.s4_fcond = 0.00014830877771533144
    g5_m_gateHHrates.s5_inf = 0.05293248525724958
    g5_m_gateHHrates.s6_tau = 0.0002367668786856876
    g5_m_gateHHrates.s7_instances = 3.0
    g5_m_gateHHrates.s8_alpha_exposed = 223.56372458463005
    g5_m_gateHHrates.s9_beta_exposed = 4000.0
    g5_m_gateHHrates.s10_fcond_exposed = 0.00014830877771533144
    g5_m_gateHHrates.s11_inf_exposed = 0.05293248525724958
    g5_m_gateHHrates.s12_q_exposed = 0.05293248525724958
    g5_m_gateHHrates.s13_rateScale_exposed = 1.0
    g5_m_gateHHrates.s14_tau_exposed = 0.0002367668786856876
    g5_m_gateHHrates.run_regularly('tl = tl + 1e-5\ns1_rateScale = 1.0\ns2_alpha = (lk1_0)\ns3_beta = (lk2_0)\ns4_fcond = (s0_q ** 3.0)\ns5_inf = (s2_alpha / (s2_alpha + s3_beta))\ns6_tau = (1.0 / ((s2_alpha + s3_beta) * s1_rateScale))\ns15_rate_q = ((s5_inf - s0_q) / s6_tau)\ns0_q = (s0_q + (1e-5 * s15_rate_q))\ns8_alpha_exposed = s2_alpha\ns9_beta_exposed = s3_beta\ns10_fcond_exposed = s4_fcond\ns11_inf_exposed = s5_inf\ns12_q_exposed = s0_q\ns13_rateScale_exposed = s1_rateScale\ns14_tau_exposed = s6_tau', when='groups', order=30, name='g5_m_gateHHrates_step')
    # ? (HHExpLinearRate)
    g6_HHExpLinearRate = b2.NeuronGroup(1, 's0_v : 1\ns1_x : 1\ns2_r : 1\ns3_rate : 1\ns4_midpoint : 1\ns5_scale : 1\ns6_r_exposed : 1\ns7_case_matched : 1\ntl : 1 (shared)\nlk0_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g6_HHExpLinearRate')
    OBJECTS.append(g6_HHExpLinearRate)
    g6_HHExpLinearRate.s0_v = (-0.065)
    g6_HHExpLinearRate.s1_x = (-2.5)
    g6_HHExpLinearRate.s2_r = 223.56372458463005
    g6_HHExpLinearRate.s3_rate = 1000.0
    g6_HHExpLinearRate.s4_midpoint = (-0.04)
    g6_HHExpLinearRate.s5_scale = 0.01
    g6_HHExpLinearRate.s6_r_exposed = 223.56372458463005
    g6_HHExpLinearRate.s7_case_matched = 1.0
    g6_HHExpLinearRate.run_regularly('tl = tl + 1e-5\ns0_v = (lk0_0)\ns1_x = ((s0_v - (-0.04)) / 0.01)\ns7_case_matched = 0.0\nqc1 = int(s1_x != 0.0)\ns2_r = lemsc_ifelse(qc1, ((1000.0 * s1_x) / (1.0 - exp((0.0 - s1_x)))), s2_r)\ns7_case_matched = lemsc_ifelse(qc1, 1.0, s7_case_matched)\nqc2 = int(s7_case_matched == 0)\nqc3 = lemsc_ifelse(qc2, int(s1_x == 0.0), 0)\ns2_r = lemsc_ifelse(qc3, 1000.0, s2_r)\ns7_case_matched = lemsc_ifelse(qc3, 1.0, s7_case_matched)\nqc4 = int(s7_case_matched == 0)\ns2_r = lemsc_ifelse(qc4, 0.0, s2_r)\ns6_r_exposed = s2_r', when='groups', order=10, name='g6_HHExpLinearRate_step')
    # ? (HHExpRate)
    g7_HHExpRate = b2.NeuronGroup(2, 's0_v : 1\ns1_r : 1\ns2_rate : 1\ns3_midpoint : 1\ns4_scale : 1\ns5_r_exposed : 1\ns6_param : 1\ns8_param : 1\ntl : 1 (shared)\nlk0_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g7_HHExpRate')
    OBJECTS.append(g7_HHExpRate)
    g7_HHExpRate.s0_v = (-0.065)
    g7_HHExpRate.s1_r = np.array([4000.0, 70.0])
    g7_HHExpRate.s2_rate = np.array([4000.0, 70.0])
    g7_HHExpRate.s3_midpoint = (-0.065)
    g7_HHExpRate.s4_scale = np.array([(-0.018000000000000002), (-0.02)])
    g7_HHExpRate.s5_r_exposed = np.array([4000.0, 70.0])
    g7_HHExpRate.s6_param = np.array([4000.0, 70.0])
    g7_HHExpRate.s8_param = np.array([(-0.018000000000000002), (-0.02)])
    g7_HHExpRate.run_regularly('tl = tl + 1e-5\ns0_v = (lk0_0)\ns1_r = (s6_param * exp(((s0_v - (-0.065)) / s8_param)))\ns5_r_exposed = s1_r', when='groups', order=20, name='g7_HHExpRate_step')
    # h (gateHHrates)
    g8_h_gateHHrates = b2.NeuronGroup(1, 's0_q : 1\ns1_rateScale : 1\ns2_alpha : 1\ns3_beta : 1\ns4_fcond : 1\ns5_inf : 1\ns6_tau : 1\ns7_instances : 1\ns8_alpha_exposed : 1\ns9_beta_exposed : 1\ns10_fcond_exposed : 1\ns11_inf_exposed : 1\ns12_q_exposed : 1\ns13_rateScale_exposed : 1\ns14_tau_exposed : 1\ns15_rate_q : 1\ntl : 1 (shared)\nlk1_0 : 1 (linked)\nlk2_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g8_h_gateHHrates')
    OBJECTS.append(g8_h_gateHHrates)
    g8_h_gateHHrates.s0_q = 0.5961207535084602
    g8_h_gateHHrates.s1_rateScale = 1.0
    g8_h_gateHHrates.s2_alpha = 70.0
    g8_h_gateHHrates.s3_beta = 47.42587317756678
    g8_h_gateHHrates.s4_fcond = 0.5961207535084602
    g8_h_gateHHrates.s5_inf = 0.5961207535084602
    g8_h_gateHHrates.s6_tau = 0.008516010764406574
    g8_h_gateHHrates.s7_instances = 1.0
    g8_h_gateHHrates.s8_alpha_exposed = 70.0
    g8_h_gateHHrates.s9_beta_exposed = 47.42587317756678
    g8_h_gateHHrates.s10_fcond_exposed = 0.5961207535084602
    g8_h_gateHHrates.s11_inf_exposed = 0.5961207535084602
    g8_h_gateHHrates.s12_q_exposed = 0.5961207535084602
    g8_h_gateHHrates.s13_rateScale_exposed = 1.0
    g8_h_gateHHrates.s14_tau_exposed = 0.008516010764406574
    g8_h_gateHHrates.run_regularly('tl = tl + 1e-5\ns1_rateScale = 1.0\ns2_alpha = (lk1_0)\ns3_beta = (lk2_0)\ns4_fcond = (s0_q ** 1.0)\ns5_inf = (s2_alpha / (s2_alpha + s3_beta))\ns6_tau = (1.0 / ((s2_alpha + s3_beta) * s1_rateScale))\ns15_rate_q = ((s5_inf - s0_q) / s6_tau)\ns0_q = (s0_q + (1e-5 * s15_rate_q))\ns8_alpha_exposed = s2_alpha\ns9_beta_exposed = s3_beta\ns10_fcond_exposed = s4_fcond\ns11_inf_exposed = s5_inf\ns12_q_exposed = s0_q\ns13_rateScale_exposed = s1_rateScale\ns14_tau_exposed = s6_tau', when='groups', order=50, name='g8_h_gateHHrates_step')
    # ? (HHSigmoidRate)
    g9_HHSigmoidRate = b2.NeuronGroup(1, 's0_v : 1\ns1_r : 1\ns2_rate : 1\ns3_midpoint : 1\ns4_scale : 1\ns5_r_exposed : 1\ntl : 1 (shared)\nlk0_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g9_HHSigmoidRate')
    OBJECTS.append(g9_HHSigmoidRate)
    g9_HHSigmoidRate.s0_v = (-0.065)
    g9_HHSigmoidRate.s1_r = 47.42587317756678
    g9_HHSigmoidRate.s2_rate = 1000.0
    g9_HHSigmoidRate.s3_midpoint = (-0.035)
    g9_HHSigmoidRate.s4_scale = 0.01
    g9_HHSigmoidRate.s5_r_exposed = 47.42587317756678
    g9_HHSigmoidRate.run_regularly('tl = tl + 1e-5\ns0_v = (lk0_0)\ns1_r = (1000.0 / (1.0 + exp((0.0 - ((s0_v - (-0.035)) / 0.01)))))\ns5_r_exposed = s1_r', when='groups', order=40, name='g9_HHSigmoidRate_step')
    # k_chans (channelPopulation)
    g10_k_chans_channelPopulation = b2.NeuronGroup(1, 's0_v : 1\ns1_channelg : 1\ns2_geff : 1\ns3_i : 1\ns4_number : 1\ns5_erev : 1\ns6_vShift : 1\ns7_i_exposed : 1\ntl : 1 (shared)\nlk0_0 : 1 (linked)\nlk1_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g10_k_chans_channelPopulation')
    OBJECTS.append(g10_k_chans_channelPopulation)
    g10_k_chans_channelPopulation.s0_v = (-0.065)
    g10_k_chans_channelPopulation.s3_i = (-0.0)
    g10_k_chans_channelPopulation.s4_number = 1800.0
    g10_k_chans_channelPopulation.s5_erev = (-0.077)
    g10_k_chans_channelPopulation.s7_i_exposed = (-0.0)
    g10_k_chans_channelPopulation.run_regularly('tl = tl + 1e-5\ns0_v = (lk0_0)\ns1_channelg = (lk1_0)\ns2_geff = (s1_channelg * 1800.0)\ns3_i = (s2_geff * ((-0.077) - s0_v))\ns7_i_exposed = s3_i', when='groups', order=130, name='g10_k_chans_channelPopulation_step')
    # k_vh (ionChannelKS)
    g11_k_vh_ionChannelKS = b2.NeuronGroup(1, 's0_v : 1\ns1_fopen : 1\ns2_g : 1\ns3_conductance : 1\ns4_fopen_exposed : 1\ns5_g_exposed : 1\ntl : 1 (shared)\nlk0_0 : 1 (linked)\nlk1_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g11_k_vh_ionChannelKS')
    OBJECTS.append(g11_k_vh_ionChannelKS)
    g11_k_vh_ionChannelKS.s0_v = (-0.065)
    g11_k_vh_ionChannelKS.s3_conductance = 8e-12
    g11_k_vh_ionChannelKS.run_regularly('tl = tl + 1e-5\ns0_v = (lk0_0)\ns1_fopen = (lk1_0)\ns2_g = (s1_fopen * 8e-12)\ns4_fopen_exposed = s1_fopen\ns5_g_exposed = s2_g', when='groups', order=120, name='g11_k_vh_ionChannelKS_step')
    # n (gateKS)
    g12_n_gateKS = b2.NeuronGroup(1, 's0_rateScale : 1\ns1_q : 1\ns2_fcond : 1\ns3_instances : 1\ns4_fcond_exposed : 1\ns5_q_exposed : 1\ns6_rateScale_exposed : 1\ntl : 1 (shared)\nrd1_0 : 1', events={}, namespace=NAMESPACE, name='g12_n_gateKS')
    OBJECTS.append(g12_n_gateKS)
    g12_n_gateKS.s0_rateScale = 1.0
    g12_n_gateKS.s3_instances = 1.0
    g12_n_gateKS.s6_rateScale_exposed = 1.0
    g12_n_gateKS.run_regularly('tl = tl + 1e-5\ns0_rateScale = 1.0\ns1_q = (rd1_0)\ns2_fcond = (s1_q ** 1.0)\ns4_fcond_exposed = s2_fcond\ns5_q_exposed = s1_q\ns6_rateScale_exposed = s0_rateScale', when='groups', order=110, name='g12_n_gateKS_step')
    # c1 (closedState)
    g13_c1_closedState = b2.NeuronGroup(2, 's0_occupancy : 1\ns1_q : 1\ns2_relativeConductance : 1\ns3_occupancy_exposed : 1\ns4_q_exposed : 1\ns5_param : 1\ntl : 1 (shared)', events={}, namespace=NAMESPACE, name='g13_c1_closedState')
    OBJECTS.append(g13_c1_closedState)
    g13_c1_closedState.s0_occupancy = np.array([1.0, 0.0])
    g13_c1_closedState.s2_relativeConductance = np.array([0.0, 1.0])
    g13_c1_closedState.s3_occupancy_exposed = np.array([1.0, 0.0])
    g13_c1_closedState.s5_param = np.array([0.0, 1.0])
    g13_c1_closedState.run_regularly('tl = tl + 1e-5\ns1_q = (s5_param * s0_occupancy)\ns3_occupancy_exposed = s0_occupancy\ns4_q_exposed = s1_q', when='groups', order=80, name='g13_c1_closedState_step')
    # ? (vHalfTransition)
    g14_vHalfTransition = b2.NeuronGroup(1, 's0_v : 1\ns1_rf0 : 1\ns2_rr0 : 1\ns3_rf : 1\ns4_rr : 1\ns5_vHalf : 1\ns6_z : 1\ns7_gamma : 1\ns8_tau : 1\ns9_tauMin : 1\ns10_kte : 1\ns11_rf_exposed : 1\ns12_rr_exposed : 1\ntl : 1 (shared)\nlk0_0 : 1 (linked)', events={}, namespace=NAMESPACE, name='g14_vHalfTransition')
    OBJECTS.append(g14_vHalfTransition)
    g14_vHalfTransition.s0_v = (-0.065)
    g14_vHalfTransition.s1_rf0 = 17.362075588639392
    g14_vHalfTransition.s2_rr0 = 818.9665203748456
    g14_vHalfTransition.s3_rf = 17.27211167609068
    g14_vHalfTransition.s4_rr = 657.4400928226751
    g14_vHalfTransition.s6_z = 1.5
    g14_vHalfTransition.s7_gamma = 0.75
    g14_vHalfTransition.s8_tau = 0.0032
    g14_vHalfTransition.s9_tauMin = 0.0003
    g14_vHalfTransition.s10_kte = 0.0253
    g14_vHalfTransition.s11_rf_exposed = 17.27211167609068
    g14_vHalfTransition.s12_rr_exposed = 657.4400928226751
    g14_vHalfTransition.run_regularly('tl = tl + 1e-5\ns0_v = (lk0_0)\ns1_rf0 = (exp((((1.5 * 0.75) * (s0_v - 0.0)) / 0.0253)) / 0.0032)\ns2_rr0 = (exp(((((-1.5) * (1.0 - 0.75)) * (s0_v - 0.0)) / 0.0253)) / 0.0032)\ns3_rf = (1.0 / ((1.0 / s1_rf0) + 0.0003))\ns4_rr = (1.0 / ((1.0 / s2_rr0) + 0.0003))\ns11_rf_exposed = s3_rf\ns12_rr_exposed = s4_rr', when='groups', order=90, name='g14_vHalfTransition_step')
    # pulseGen1 (pulseGenerator)
    g15_pulseGen1_pulseGenerator = b2.NeuronGroup(1, 's0_i : 1\ns1_weight : 1\ns2_delay : 1\ns3_duration : 1\ns4_amplitude : 1\ns5_i_exposed : 1\ns6_t : 1\ntl : 1 (shared)', events={}, namespace=NAMESPACE, name='g15_pulseGen1_pulseGenerator')
    OBJECTS.append(g15_pulseGen1_pulseGenerator)
    g15_pulseGen1_pulseGenerator.s1_weight = 1.0
    g15_pulseGen1_pulseGenerator.s2_delay = 0.1
    g15_pulseGen1_pulseGenerator.s3_duration = 0.1
    g15_pulseGen1_pulseGenerator.s4_amplitude = 5.0000000000000005e-12
    g15_pulseGen1_pulseGenerator.run_regularly('tl = tl + 1e-5\ns6_t = tl\nqc1 = int(s6_t < 0.1)\ns0_i = lemsc_ifelse(qc1, 0.0, s0_i)\nqc2 = int((int(s6_t >= 0.1) != 0) and (int(s6_t < (0.1 + 0.1)) != 0))\ns0_i = lemsc_ifelse(qc2, (s1_weight * 5.0000000000000005e-12), s0_i)\nqc3 = int(s6_t >= (0.1 + 0.1))\ns0_i = lemsc_ifelse(qc3, 0.0, s0_i)\ns5_i_exposed = s0_i', when='groups', order=140, name='g15_pulseGen1_pulseGenerator_step')
    # kinetic scheme of 2 states
    NAMESPACE['lemsc_kinetic0'] = _function(_kinetic(2, [(0, 1)], 1e-5, 1e-12), 5, 'static inline double lemsc_kinetic0(double k, double p0, double p1, double f0, double r0) {\n    const int n = 2;\n    const double args[4] = {p0, p1, f0, r0};\n    static double last[4];\n    static double next[2];\n    static bool known = false;\n    bool same = known;\n    for (int x = 0; x < (int)(sizeof args / sizeof args[0]); x++) same = same && args[x] == last[x];\n    if (!same) {\n        double m[4];\n        double square[4];\n        for (int x = 0; x < n * n; x++) m[x] = 0.0;\n        m[0] -= f0;\n        m[2] += f0;\n        m[3] -= r0;\n        m[1] += r0;\n        for (int x = 0; x < n * n; x++) m[x] *= 1e-5;\n        double largest = 0.0;\n        for (int x = 0; x < n * n; x++) if (fabs(m[x]) > largest) largest = fabs(m[x]);\n        int halvings = 0;\n        double factor = 1.0;\n        while (largest * factor > 1e-12) { factor *= 0.5; halvings++; }\n        for (int x = 0; x < n * n; x++) m[x] *= factor;\n        for (int h = 0; h < halvings; h++) {\n            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {\n                double sum = 0.0;\n                for (int c = 0; c < n; c++) sum += m[i * n + c] * m[c * n + j];\n                square[i * n + j] = sum;\n            }\n            for (int x = 0; x < n * n; x++) { m[x] += m[x]; m[x] += square[x]; }\n        }\n        for (int x = 0; x < n * n; x++) m[x] += (x % (n + 1) == 0) ? 1.0 : 0.0;\n        for (int i = 0; i < n; i++) {\n            double sum = 0.0;\n            for (int j = 0; j < n; j++) sum += m[i * n + j] * args[j];\n            next[i] = sum;\n        }\n        for (int x = 0; x < (int)(sizeof args / sizeof args[0]); x++) last[x] = args[x];\n        known = true;\n    }\n    return next[(int)k];\n}\n', 'cdef double lemsc_kinetic0(double k, double p0, double p1, double f0, double r0):\n    cdef double m[4]\n    cdef double square[4]\n    cdef double p[2]\n    cdef int n = 2\n    cdef int x, i, j, c, h, halvings\n    cdef double largest, factor, size, total\n    p[0] = p0\n    p[1] = p1\n    for x in range(n * n):\n        m[x] = 0.0\n    m[0] -= f0\n    m[2] += f0\n    m[3] -= r0\n    m[1] += r0\n    for x in range(n * n):\n        m[x] *= 1e-5\n    largest = 0.0\n    for x in range(n * n):\n        size = m[x] if m[x] >= 0.0 else -m[x]\n        if size > largest:\n            largest = size\n    halvings = 0\n    factor = 1.0\n    while largest * factor > 1e-12:\n        factor *= 0.5\n        halvings += 1\n    for x in range(n * n):\n        m[x] *= factor\n    for h in range(halvings):\n        for i in range(n):\n            for j in range(n):\n                total = 0.0\n                for c in range(n):\n                    total += m[i * n + c] * m[c * n + j]\n                square[i * n + j] = total\n        for x in range(n * n):\n            m[x] += m[x]\n            m[x] += square[x]\n    for x in range(n * n):\n        m[x] += 1.0 if x % (n + 1) == 0 else 0.0\n    i = <int>k\n    total = 0.0\n    for j in range(n):\n        total += m[i * n + j] * p[j]\n    return total\n', 'lemsc_kinetic0')
    ks0 = b2.NeuronGroup(1, 'p0 : 1 (linked)\np1 : 1 (linked)\nf0 : 1 (linked)\nr0 : 1 (linked)\nkn0 : 1\nkn1 : 1', namespace=NAMESPACE, name='ks0')
    OBJECTS.append(ks0)
    ks0.p0 = b2.linked_var(g13_c1_closedState, 's0_occupancy', index=np.array([0], dtype=np.int64))
    ks0.p1 = b2.linked_var(g13_c1_closedState, 's0_occupancy', index=np.array([1], dtype=np.int64))
    ks0.f0 = b2.linked_var(g14_vHalfTransition, 's11_rf_exposed', index=np.array([0], dtype=np.int64))
    ks0.r0 = b2.linked_var(g14_vHalfTransition, 's12_rr_exposed', index=np.array([0], dtype=np.int64))
    ks0.run_regularly('kn0 = lemsc_kinetic0(0.0, p0, p1, f0, r0)\nkn1 = lemsc_kinetic0(1.0, p0, p1, f0, r0)', when='groups', order=100, name='ks0_step')
    ks0.run_regularly('p0 = kn0\np1 = kn1', when='groups', order=101, name='ks0_write')
    g2_hhcell_1_pointCellCondBased.lk0_0 = b2.linked_var(g3_na_chans_channelPopulation, 's7_i_exposed', index=np.array([0], dtype=np.int64))
    g2_hhcell_1_pointCellCondBased.lk0_1 = b2.linked_var(g10_k_chans_channelPopulation, 's7_i_exposed', index=np.array([0], dtype=np.int64))
    g2_hhcell_1_pointCellCondBased.lk1_0 = b2.linked_var(g15_pulseGen1_pulseGenerator, 's5_i_exposed', index=np.array([0], dtype=np.int64))
    g3_na_chans_channelPopulation.lk0_0 = b2.linked_var(g2_hhcell_1_pointCellCondBased, 's10_v_exposed', index=np.array([0], dtype=np.int64))
    g3_na_chans_channelPopulation.lk1_0 = b2.linked_var(g4_na_ionChannelHH, 's7_g_exposed', index=np.array([0], dtype=np.int64))
    g4_na_ionChannelHH.lk0_0 = b2.linked_var(g3_na_chans_channelPopulation, 's0_v', index=np.array([0], dtype=np.int64))
    g4_na_ionChannelHH.lk2_0 = b2.linked_var(g5_m_gateHHrates, 's10_fcond_exposed', index=np.array([0], dtype=np.int64))
    g4_na_ionChannelHH.lk2_1 = b2.linked_var(g8_h_gateHHrates, 's10_fcond_exposed', index=np.array([0], dtype=np.int64))
    g5_m_gateHHrates.lk1_0 = b2.linked_var(g6_HHExpLinearRate, 's6_r_exposed', index=np.array([0], dtype=np.int64))
    g5_m_gateHHrates.lk2_0 = b2.linked_var(g7_HHExpRate, 's5_r_exposed', index=np.array([0], dtype=np.int64))
    g6_HHExpLinearRate.lk0_0 = b2.linked_var(g4_na_ionChannelHH, 's0_v', index=np.array([0], dtype=np.int64))
    g7_HHExpRate.lk0_0 = b2.linked_var(g4_na_ionChannelHH, 's0_v', index=np.array([0, 0], dtype=np.int64))
    g8_h_gateHHrates.lk1_0 = b2.linked_var(g7_HHExpRate, 's5_r_exposed', index=np.array([1], dtype=np.int64))
    g8_h_gateHHrates.lk2_0 = b2.linked_var(g9_HHSigmoidRate, 's5_r_exposed', index=np.array([0], dtype=np.int64))
    g9_HHSigmoidRate.lk0_0 = b2.linked_var(g4_na_ionChannelHH, 's0_v', index=np.array([0], dtype=np.int64))
    g10_k_chans_channelPopulation.lk0_0 = b2.linked_var(g2_hhcell_1_pointCellCondBased, 's10_v_exposed', index=np.array([0], dtype=np.int64))
    g10_k_chans_channelPopulation.lk1_0 = b2.linked_var(g11_k_vh_ionChannelKS, 's5_g_exposed', index=np.array([0], dtype=np.int64))
    g11_k_vh_ionChannelKS.lk0_0 = b2.linked_var(g10_k_chans_channelPopulation, 's0_v', index=np.array([0], dtype=np.int64))
    g11_k_vh_ionChannelKS.lk1_0 = b2.linked_var(g12_n_gateKS, 's4_fcond_exposed', index=np.array([0], dtype=np.int64))
    g14_vHalfTransition.lk0_0 = b2.linked_var(g11_k_vh_ionChannelKS, 's0_v', index=np.array([0], dtype=np.int64))
    sum12_0 = b2.Synapses(g13_c1_closedState, g12_n_gateKS, model='rd1_0_post = s4_q_exposed_pre : 1 (summed)', namespace=NAMESPACE, name='sum12_0')
    sum12_0.connect(i=np.array([0, 1], dtype=np.int64), j=np.array([0, 0], dtype=np.int64))
    sum12_0.summed_updaters['rd1_0_post'].when = 'groups'
    sum12_0.summed_updaters['rd1_0_post'].order = 109
    OBJECTS.append(sum12_0)
    ev0_pulseGen1_pulseGenerator = b2.Synapses(g2_hhcell_1_pointCellCondBased, g15_pulseGen1_pulseGenerator, model='tshift : 1', on_pre='tshift = tshift', on_event='e0', namespace=NAMESPACE, name='ev0_pulseGen1_pulseGenerator')
    ev0_pulseGen1_pulseGenerator.connect(i=np.array([0], dtype=np.int64), j=np.array([0], dtype=np.int64))
    for p in ev0_pulseGen1_pulseGenerator._pathways:
        p.when = 'groups'
        p.order = 152
    OBJECTS.append(ev0_pulseGen1_pulseGenerator)
    return OBJECTS


def run():
    # The objects by name, for reading the monitors after the run.
    objects = build()
    b2.Network(objects).run(STEPS * DT * b2.second, namespace={})
    return {o.name: o for o in objects}


def main(argv):
    os.chdir(HERE)
    np.seterr(all='ignore')
    setup(__file__, STEPS, DT)
    use_device(device_from(argv, DEFAULT_DEVICE), SEED)
    use_native_writer(cache_root())
    OBJ = run()


if __name__ == '__main__':
    main(sys.argv)
