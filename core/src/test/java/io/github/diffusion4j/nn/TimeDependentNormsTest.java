package io.github.diffusion4j.nn;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.net.ParameterStore;
import io.github.diffusion4j.testing.Golden;
import io.github.diffusion4j.train.AdamW;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DiMR's time-dependent parameters, TD-LayerNorm and TD-RMSNorm (Liu et al. 2024, Sec. 3.3) against
 * the official code: golden arrays of {@code dimr.npz} (shared/golden/dimr.npz; qihao067/DiMR
 * {@code fa141ae4}, {@code libs/core/sigmoid/module.py} TimeDependentParameter.seed_time, LayerNorm,
 * TDRMSNorm, {@code kernel.py} tdp_torch; τ = log_snr/4, effective weight nodecay_weight + 1), plus
 * their parameter counts, τ-dependence and no-decay group.
 */
class TimeDependentNormsTest {
    private static final Golden G = Golden.load("dimr.npz");

    @BeforeAll
    static void init() {
        Engine.init();
    }

    private static Tensor tau(String logSnr) {
        return G.tensor(logSnr).div(new Scalar(4.0));
    }

    /** The official parameters of layer {@code prefix} (golden names minus the prefix) under {@code name}. */
    private static Map<String, Tensor> params(String prefix, String name, String... suffixes) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String s : suffixes) {
            for (String k : new String[] {"param0", "param1", "nodecay_weight", "nodecay_bias"}) {
                m.put(name + s + "." + k, G.tensor(prefix + s + "." + k).to(ScalarType.Float));
            }
        }
        return m;
    }

    @Test
    void theTimeDependentParameterIsTheOfficialTdpAtPerSampleAndSharedTimes() {
        try (PointerScope scope = new PointerScope()) {
            for (String p : new String[] {"a", "b"}) {
                Tensor w = G.tensor("tdp." + p + ".nodecay_weight").reshape(-1).add(new Scalar(1.0));
                Tensor out = TimeDependentParameter.tdp(G.tensor("tdp." + p + ".param0").reshape(-1),
                        G.tensor("tdp." + p + ".param1").reshape(-1), w, G.tensor("tdp." + p + ".nodecay_bias").reshape(-1),
                        tau("log_snr"));
                G.assertClose(out, "tdp_" + p + "_out", 1e-12);
            }
            // an all-equal batch: the official code computes one row; every row here equals it
            Tensor same = TimeDependentParameter.tdp(G.tensor("tdp.a.param0"), G.tensor("tdp.a.param1"),
                    G.tensor("tdp.a.nodecay_weight").add(new Scalar(1.0)), G.tensor("tdp.a.nodecay_bias"), tau("tdp_same_log_snr"));
            for (int r = 0; r < 3; r++) {
                G.assertClose(same.narrow(0, r, 1), "tdp_a_out_same", 1e-12);
            }
        }
    }

    @Test
    void theLayerReadsTheOfficialStateDictNamesAndMatchesTdpA() {
        try (PointerScope scope = new PointerScope(); ParameterStore store = new ParameterStore(0)) {
            TimeDependentParameter a = new TimeDependentParameter(store, "a", 1.0, 8);
            store.load(params("tdp.a", "a", ""));
            G.assertClose(a.at(tau("log_snr")), "tdp_a_out", 1e-6); // the store keeps float32 weights
            TimeDependentParameter b = new TimeDependentParameter(store, "b", 0.0, 3, 4);
            Map<String, Tensor> all = new LinkedHashMap<>(params("tdp.a", "a", ""));
            all.putAll(params("tdp.b", "b", ""));
            store.load(all);
            Tensor out = b.at(tau("log_snr"));
            assertThat(Tensors.shape(out)).containsExactly(5, 3, 4);
            G.assertClose(out, "tdp_b_out", 1e-6);
        }
    }

    @Test
    void tdLayerNormMatchesTheOfficialLayerNormOnTokensAndChannelLastMaps() {
        try (PointerScope scope = new PointerScope(); ParameterStore store = new ParameterStore(0)) {
            TimeDependentLayerNorm ln = new TimeDependentLayerNorm(store, "ln", 8);
            store.load(params("ln", "ln", ".weight", ".bias"));
            G.assertClose(ln.forward(G.tensor("x3"), tau("log_snr")), "ln_out3", 1e-6);
            G.assertClose(ln.forward(G.tensor("x4"), tau("log_snr")), "ln_out4", 1e-6);
            G.assertClose(ln.forward(G.tensor("x3").narrow(0, 0, 3), tau("tdp_same_log_snr")), "ln_out3_same", 1e-6);
        }
    }

    @Test
    void tdRmsNormMatchesTheOfficialTdRmsNormWithAndWithoutOffset() {
        try (PointerScope scope = new PointerScope(); ParameterStore store = new ParameterStore(0)) {
            TimeDependentRmsNorm rms = new TimeDependentRmsNorm(store, "rms", 8);
            TimeDependentRmsNorm rmsB = new TimeDependentRmsNorm(store, "rms_b", 8, 1e-8, true, false);
            Map<String, Tensor> all = new LinkedHashMap<>(params("rms", "rms", ".scale"));
            all.putAll(params("rms_b", "rms_b", ".scale", ".offset"));
            store.load(all);
            for (String suffix : new String[] {"", "_b"}) {
                TimeDependentRmsNorm n = suffix.isEmpty() ? rms : rmsB;
                G.assertClose(n.forward(G.tensor("x3"), tau("log_snr")), "rms" + suffix + "_out3", 1e-6);
                G.assertClose(n.forward(G.tensor("x4"), tau("log_snr")), "rms" + suffix + "_out4", 1e-6);
                G.assertClose(n.forward(G.tensor("x3").narrow(0, 0, 3), tau("tdp_same_log_snr")), "rms" + suffix + "_out3_same", 1e-6);
            }
        }
    }

    @Test
    void aTimeDependentVectorOfWidthDHasFourDParameters() {
        try (ParameterStore store = new ParameterStore(0)) {
            assertThat(new TimeDependentParameter(store, "p", 1.0, 13).parameterCount()).isEqualTo(4 * 13);
            assertThat(new TimeDependentParameter(store, "s", 1.0, true, 13).parameterCount()).isEqualTo(2 * 13 + 2);
            assertThat(new TimeDependentRmsNorm(store, "r", 24).parameterCount()).isEqualTo(4 * 24);
            assertThat(new TimeDependentLayerNorm(store, "l", 24).parameterCount()).isEqualTo(8 * 24);
            assertThat(new TimeDependentRmsNorm(store, "ro", 24, 1e-8, true, false).parameterCount()).isEqualTo(8 * 24);
            assertThat(store.parameterCount()).isEqualTo(4 * 13 + 2 * 13 + 2 + 4 * 24 + 8 * 24 + 8 * 24);
        }
    }

    @Test
    void theOutputDependsOnTauUnlessP0EqualsP1() {
        try (PointerScope scope = new PointerScope(); ParameterStore store = new ParameterStore(0)) {
            TimeDependentLayerNorm ln = new TimeDependentLayerNorm(store, "ln", 8);
            Tensor x = G.tensor("x3").narrow(0, 0, 2);
            Tensor early = Tensors.fromDoubles(new double[] {-0.9, -0.9}, 2), late = Tensors.fromDoubles(new double[] {0.8, 0.8}, 2);
            // at init p0 = p1 (ones and zeros): τ-independent
            assertThat(ln.forward(x, early).sub(ln.forward(x, late)).abs().max().item_double()).isZero();
            Map<String, Tensor> p = params("ln", "ln", ".weight", ".bias");
            store.load(p);
            assertThat(ln.forward(x, early).sub(ln.forward(x, late)).abs().max().item_double()).isGreaterThan(1e-3);
            // p0 = p1 with any w, b: τ-independent again
            Map<String, Tensor> equal = new LinkedHashMap<>(p);
            equal.put("ln.weight.param1", p.get("ln.weight.param0"));
            equal.put("ln.bias.param1", p.get("ln.bias.param0"));
            store.load(equal);
            assertThat(ln.forward(x, early).sub(ln.forward(x, late)).abs().max().item_double()).isLessThan(1e-15);
            // per sample: row b follows τ_b only
            Tensor mixed = Tensors.fromDoubles(new double[] {-0.9, 0.8}, 2);
            store.load(p);
            Tensor both = ln.forward(x, mixed);
            assertThat(both.narrow(0, 0, 1).sub(ln.forward(x, early).narrow(0, 0, 1)).abs().max().item_double()).isZero();
            assertThat(both.narrow(0, 1, 1).sub(ln.forward(x, late).narrow(0, 1, 1)).abs().max().item_double()).isZero();
        }
    }

    @Test
    void theSigmoidWeightsAndBiasesTakeNoWeightDecay() {
        try (PointerScope scope = new PointerScope(); ParameterStore store = new ParameterStore(0)) {
            TimeDependentRmsNorm rms = new TimeDependentRmsNorm(store, "blk.norm", 4);
            Linear lin = new Linear(store, "blk.fc", 4, 4);
            Map<String, Tensor> params = store.trainable();
            AdamW adam = new AdamW(params, 0.9, 0.999, 1e-8, 0.5);
            Map<String, double[]> before = new LinkedHashMap<>();
            params.forEach((k, v) -> {
                before.put(k, Tensors.toDoubles(v));
                v.mutable_grad().put(torch_zeros(v)); // a zero gradient: only decay moves a parameter
            });
            adam.step(params, 0.1);
            params.forEach((k, v) -> {
                double[] now = Tensors.toDoubles(v), was = before.get(k);
                boolean moved = false;
                for (int i = 0; i < now.length; i++) {
                    moved |= now[i] != was[i];
                }
                boolean zero = java.util.Arrays.stream(was).allMatch(d -> d == 0);
                if (k.endsWith("nodecay_weight") || k.endsWith("nodecay_bias")) {
                    assertThat(moved).as(k).isFalse();
                } else if (!zero) {
                    assertThat(moved).as(k).isTrue();
                }
            });
            assertThat(AdamW.decays("blk.norm.scale.param0")).isTrue();
            assertThat(AdamW.decays("blk.norm.scale.nodecay_weight")).isFalse();
            assertThat(rms.parameterCount() + lin.parameterCount()).isEqualTo(16 + 20);
        }
    }

    private static Tensor torch_zeros(Tensor like) {
        return org.bytedeco.pytorch.global.torch.zeros_like(like).detach();
    }
}
