package io.github.diffusion4j.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.assemble.DiffusionAssembly;
import io.github.diffusion4j.assemble.NetworkAssembly;
import io.github.diffusion4j.config.ConfigException;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.HeadSpec;
import io.github.diffusion4j.denoise.NoiseLevel;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.param.MultiHeadSupervision;
import io.github.diffusion4j.sample.EdmSampler;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.StepListener;
import io.github.diffusion4j.schedule.KarrasSigmas;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DiMR backbone (Liu et al. 2024, Sec. 3.2–3.3): one head per branch at its resolution, time only
 * through TD-LN, per-row independence and per-seed samples at any batch size, parameter counts and FLOPs of
 * every block type against their formulas, and config errors. Training, resume and sampling end to end are
 * in {@code train.DiMRTrainingTest}.
 */
class DiMRTest {
    static final String BRANCHES = "model.branches=[{block: transformer, downsample: 4, patch: 2, width: 16, hidden: 24, depth: 2,"
            + " heads: 2}, {block: convnext, downsample: 1, patch: 1, width: 8, hidden: 12, depth: 2, kernel: 3}]";

    /** A tiny 2R DiMR on 8×8 one-channel images with 4 classes. */
    static ExperimentConfig config(String... extra) {
        List<String> sets = new ArrayList<>(List.of("data.resolution=8", "model.type=dimr", "model.classes=4", BRANCHES,
                "model.cascadeWidth=4", "diffusion.supervision.weights=[0.25, 1]", "training.batch=6", "training.warmupImages=20",
                "training.emaHalfLifeImages=30", "training.checkpointEvery=1000", "training.logEvery=2", "training.minutes=0",
                "sampling.gridSeeds=4", "sampling.steps=2"));
        sets.addAll(List.of(extra));
        return ConfigLoader.load("mnist-unet", sets);
    }

    @BeforeAll
    static void init() {
        Engine.init();
    }

    static Tensor input(long batch, int side, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[(int) (batch * side * side)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Tensors.fromDoubles(v, batch, 1, side, side).to(ScalarType.Float);
    }

    static NoiseLevel level(double... sigma) {
        return new NoiseLevel(Tensors.fromDoubles(sigma, sigma.length).to(ScalarType.Float), sigma);
    }

    @Test
    void eachBranchReturnsItsHeadAtItsResolution() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            DiMR net = (DiMR) NetworkAssembly.build(config());
            assertThat(net.spec().heads()).containsExactly(new HeadSpec("output", 1, 4), new HeadSpec("output", 1, 1));
            List<Tensor> heads = net.forward(input(3, 8, 1), level(0.1, 1, 10), Conditioning.classes(0, 3, Conditioning.NULL_CLASS),
                    Exit.ALL);
            assertThat(heads).hasSize(2);
            assertThat(Tensors.shape(heads.get(0))).containsExactly(3, 1, 2, 2);
            assertThat(Tensors.shape(heads.get(1))).containsExactly(3, 1, 8, 8);
            assertThat(Tensors.scalarType(heads.get(1))).isEqualTo(ScalarType.Float);
            assertThat(heads.get(1).abs().max().item_double()).as("no zero init in DiMR's output layer").isPositive();
            assertThat(net.forward(input(3, 8, 1), level(0.1, 1, 10), Conditioning.NONE, Exit.after(0))).hasSize(1);
            assertThat(DiffusionAssembly.parametrisation(config().onlyStage())).isInstanceOf(MultiHeadSupervision.class);
            assertThatThrownBy(() -> net.forward(input(1, 4, 1), level(1), Conditioning.NONE, Exit.ALL))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DiMR expects input");
        }
    }

    @Test
    void timeEntersOnlyThroughTheTimeDependentNorms() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            DiMR net = (DiMR) NetworkAssembly.build(config());
            Tensor x = input(2, 8, 2);
            Conditioning c = Conditioning.classes(1, 2);
            // at init p0 = p1 in every TD-LN: the output is the same at any σ (and c_noise is never read)
            Tensor low = net.forward(x, level(0.01, 0.01), c, Exit.ALL).get(1);
            Tensor high = net.forward(x, new NoiseLevel(Tensors.fromDoubles(new double[] {7, -3}, 2).to(ScalarType.Float),
                    new double[] {50, 50}), c, Exit.ALL).get(1);
            assertThat(low.sub(high).abs().max().item_double()).isZero();
            Map<String, Tensor> p = new HashMap<>(net.namedParameters());
            p.put("stages.1.output.norm.weight.param0", p.get("stages.1.output.norm.weight.param0").add(new Scalar(1.0)));
            net.loadParameters(p);
            Tensor low2 = net.forward(x, level(0.01, 0.01), c, Exit.ALL).get(1);
            Tensor high2 = net.forward(x, level(50, 50), c, Exit.ALL).get(1);
            assertThat(low2.sub(high2).abs().max().item_double()).isGreaterThan(1e-4);
            // τ: the official 2n/1000 − 1 for n = 1 + the DDPM step of σ
            var ddpm = io.github.diffusion4j.schedule.DiscreteVpSchedule.ddpm();
            assertThat(io.github.diffusion4j.nn.TimeDependentParameter.tau(ddpm.sigmaAt(0))).isCloseTo(2.0 / 1000 - 1, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(io.github.diffusion4j.nn.TimeDependentParameter.tau(ddpm.sigmaAt(499))).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(io.github.diffusion4j.nn.TimeDependentParameter.tau(ddpm.sigmaAt(999))).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(io.github.diffusion4j.nn.TimeDependentParameter.tau(1e-6)).isEqualTo(io.github.diffusion4j.nn.TimeDependentParameter.tau(ddpm.sigmaAt(0)));
        }
    }

    @Test
    void classesChangeTheOutputAndRowsAreIndependent() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            DiMR net = (DiMR) NetworkAssembly.build(config());
            Tensor x = input(3, 8, 3);
            Tensor all = net.forward(x, level(0.2, 2, 20), Conditioning.classes(0, 1, 2), Exit.ALL).get(1);
            Tensor one = net.forward(x.narrow(0, 1, 1), level(2), Conditioning.classes(1), Exit.ALL).get(1);
            assertThat(all.narrow(0, 1, 1).sub(one).abs().max().item_double()).isLessThan(1e-5);
            Tensor other = net.forward(x.narrow(0, 1, 1), level(2), Conditioning.classes(3), Exit.ALL).get(1);
            assertThat(other.sub(one).abs().max().item_double()).isGreaterThan(1e-6);
            Tensor nul = net.forward(x.narrow(0, 1, 1), level(2), Conditioning.classes(Conditioning.NULL_CLASS), Exit.ALL).get(1);
            Tensor none = net.forward(x.narrow(0, 1, 1), level(2), Conditioning.NONE, Exit.ALL).get(1);
            assertThat(nul.sub(none).abs().max().item_double()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"td", "adaln", "token"})
    void sameSeedsGiveTheSameSamplesAtAnyBatchSize(String blockNorm) {
        try (PointerScope scope = new PointerScope()) {
            ExperimentConfig cfg = config("model.blockNorm=" + blockNorm);
            Network net = NetworkAssembly.build(cfg);
            Map<String, Tensor> live = new HashMap<>(net.namedParameters()); // the zero-initialised modulations given weights
            SplittableRandom r = new SplittableRandom(9);
            live.replaceAll((k, v) -> k.endsWith("adaLN_modulation.weight")
                    ? Tensors.fromDoubles(r.doubles(v.numel()).map(u -> 0.2 * (u - 0.5)).toArray(), Tensors.shape(v)).to(ScalarType.Float)
                    : v);
            net.loadParameters(live);
            DiffusionAssembly d = DiffusionAssembly.of(cfg.onlyStage());
            PreconditionedDenoiser den = PreconditionedDenoiser.checked(net, net.spec(), 1, d.preconditioning(), d.parametrisation());
            Generator gen = new Generator(den, EdmSampler.heun(new io.github.diffusion4j.sample.Churn(30, 0.01, 10, 1.007)), KarrasSigmas.edm().sigmas(3), new long[] {1, 8, 8}).withClasses(4);
            long[] seeds = LongStream.range(0, 10).toArray();
            Map<Long, double[]> a = new HashMap<>(), b = new HashMap<>();
            gen.generate(seeds, 1, StepListener.NONE, a::put);
            gen.generate(seeds, 10, StepListener.NONE, b::put);
            for (long s : seeds) {
                assertThat(b.get(s)).as("seed %d", s).isEqualTo(a.get(s));
            }
            assertThat(a.get(0L)).isNotEqualTo(a.get(1L));
        }
    }

    private static long count(Network net, String prefix) {
        return net.namedParameters().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(e -> e.getValue().numel()).sum();
    }

    /** Parameters of the gated MLP with its TD-RMSNorm: 4D + 2(D·h + h) + h·D + D. */
    private static long mlp(long d, long h) {
        return 4 * d + 2 * (d * h + h) + h * d + d;
    }

    @Test
    void parameterCountsOfEveryBlockTypeMatchTheirFormulas() {
        try (PointerScope scope = new PointerScope()) {
            DiMR net = (DiMR) NetworkAssembly.build(config());
            long d0 = 16, h0 = 24, d1 = 8, h1 = 12, q = 4, taps = 3 + 1, c = 1;
            // Transformer block: TD-RMSNorm 4D, QKV 3D² (no bias), dense D² + D, gated MLP
            assertThat(count(net, "stages.0.blocks.0.")).isEqualTo(4 * d0 + 3 * d0 * d0 + d0 * d0 + d0 + mlp(d0, h0));
            // ConvNeXt block: depthwise k²D + D, gated MLP
            assertThat(count(net, "stages.1.blocks.2.")).isEqualTo(9 * d1 + d1 + mlp(d1, h1));
            // skip fusion 2D·D + D
            assertThat(count(net, "stages.0.skip_denses.")).isEqualTo(2 * d0 * d0 + d0);
            // input layer: patch conv C·p²·D + D, position embedding (H/k)²·D, class token (classes + 1)·D
            assertThat(count(net, "stages.0.input.")).isEqualTo(c * 4 * d0 + d0);
            assertThat(count(net, "stages.0.pos_emb.")).isEqualTo(4 * d0);
            assertThat(count(net, "stages.0.class_embeds.")).isEqualTo(5 * d0);
            assertThat(count(net, "stages.1.class_embeds.")).isZero();
            // cascade: per-tap projections T(D'q + q), TD-LN 8Tq, kernel Tq·D r² + D r², TD-LN 8D
            long r2 = 16;
            assertThat(count(net, "stages.1.upsample.")).isEqualTo(taps * (d0 * q + q) + 8 * taps * q + taps * q * d1 * r2 + d1 * r2 + 8 * d1);
            // output layer: TD-LN 8D, 3×3 conv 9·D·C + C
            assertThat(count(net, "stages.1.output.")).isEqualTo(8 * d1 + 9 * d1 * c + c);
            assertThat(net.parameterCount()).isEqualTo(count(net, "stages."));
            // the official full concatenation (cascadeWidth 0): TD-LN 8·T·D', kernel T·D'·D r² + D r²
            DiMR full = (DiMR) NetworkAssembly.build(config("model.cascadeWidth=0"));
            assertThat(count(full, "stages.1.upsample.")).isEqualTo(8 * taps * d0 + taps * d0 * d1 * r2 + d1 * r2 + 8 * d1);
            // the paper's shared scalar w, b: 2D + 2 per time-dependent vector
            DiMR shared = (DiMR) NetworkAssembly.build(config("model.sharedTime=true"));
            assertThat(count(shared, "stages.1.output.norm.")).isEqualTo(2 * (2 * d1 + 2));
        }
    }

    @Test
    void flopsMatchTheFormula() {
        try (PointerScope scope = new PointerScope()) {
            DiMR net = (DiMR) NetworkAssembly.build(config());
            double d0 = 16, h0 = 24, d1 = 8, h1 = 12, q = 4, taps = 4;
            double l0 = 2 * 2 + 1; // 2×2 tokens + the class token
            double transformer = 2 * l0 * d0 * 3 * d0 + 4 * l0 * l0 * d0 + 2 * l0 * d0 * d0 + 2 * l0 * (2 * d0 * h0 + h0 * d0);
            double branch0 = 2 * 1 * d0 * 4 * 4 + 3 * transformer + 2 * l0 * 2 * d0 * d0 + 2 * d0 * 9 * 4;
            double l1 = 64;
            double convnext = 2 * d1 * 9 * l1 + 2 * l1 * (2 * d1 * h1 + h1 * d1);
            double cascade = taps * 2 * 4 * d0 * q + 2 * 4 * taps * q * d1 * 16;
            double branch1 = 2 * 1 * d1 * l1 + cascade + 3 * convnext + 2 * l1 * 2 * d1 * d1 + 2 * d1 * 9 * l1;
            assertThat(net.flopsPerSample()).isEqualTo(branch0 + branch1);
        }
    }

    @Test
    void badBranchesAndWeightsAreConfigErrors() {
        assertThatThrownBy(() -> config("diffusion.supervision.weights=[1]")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("diffusion.supervision.weights").hasMessageContaining("2 heads");
        assertThatThrownBy(() -> config("model.branches[0].block=mlp")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("model.branches[0].block");
        assertThatThrownBy(() -> config("model.branches[0].downsample=1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("model.branches");
        assertThatThrownBy(() -> config("model.branches[0].heads=3")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("heads");
        assertThatThrownBy(() -> config("model.branches[1].downsample=2")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("full resolution");
    }

    @Test
    void thePresetsBuildWithOneSupervisionWeightPerBranch() {
        try (PointerScope scope = new PointerScope()) {
            for (String preset : new String[] {"emoji32-dimr", "emoji64-dimr"}) {
                ExperimentConfig cfg = ConfigLoader.load(preset, List.of());
                DiMR net = (DiMR) NetworkAssembly.build(cfg);
                assertThat(cfg.diffusion().supervision().weights()).hasSize(net.spec().heads().size());
                assertThat(net.spec().heads().get(net.spec().heads().size() - 1).downsample()).isEqualTo(1);
                assertThat(net.parameterCount()).as(preset).isBetween(100_000L, 5_000_000L);
            }
            DiMR small = (DiMR) NetworkAssembly.build(ConfigLoader.load("emoji32-dimr", List.of()));
            DiMRConfig.Branch low = small.config().branches().get(0);
            assertThat(low.block()).isEqualTo(DiMRConfig.Block.TRANSFORMER);
            assertThat(32 / low.downsample()).as("8×8 tokens").isEqualTo(8);
        }
    }

    /** The ablation of the Transformer blocks' TD-RMSNorm: plain LayerNorm and the time as an extra token (U-ViT). */
    @Test
    void theTimeTokenAblationReplacesTheTransformerBlocksNormsAndCarriesTime() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            DiMR net = (DiMR) NetworkAssembly.build(config("model.blockNorm=token"));
            long d0 = 16, h0 = 24, d1 = 8, h1 = 12;
            assertThat(count(net, "stages.0.blocks.0.")).isEqualTo(2 * d0 + 3 * d0 * d0 + d0 * d0 + d0 + (mlp(d0, h0) - 4 * d0 + 2 * d0));
            assertThat(count(net, "stages.1.blocks.0.")).as("ConvNeXt blocks keep TD-RMSNorm").isEqualTo(9 * d1 + d1 + mlp(d1, h1));
            assertThat(net.namedParameters()).containsKey("stages.0.blocks.0.block1.norm.weight")
                    .doesNotContainKey("stages.0.blocks.0.block1.norm.scale.param0");
            // at init the TD-LNs are τ-independent, so here σ reaches the output through the time token alone
            Tensor x = input(2, 8, 4);
            Tensor low = net.forward(x, level(0.01, 0.01), Conditioning.classes(1, 2), Exit.ALL).get(1);
            Tensor high = net.forward(x, level(50, 50), Conditioning.classes(1, 2), Exit.ALL).get(1);
            assertThat(low.sub(high).abs().max().item_double()).isGreaterThan(1e-5);
            // one more token in the Transformer's FLOPs: 2·(L+1)·D·4D + 4(L+1)²D + MLP per block, skip fusion
            DiMR td = (DiMR) NetworkAssembly.build(config());
            java.util.function.DoubleUnaryOperator perToken = t -> 3 * (2 * t * d0 * 4 * d0 + 4 * t * t * d0 + 2 * t * 3 * d0 * h0)
                    + 2 * t * 2 * d0 * d0;
            assertThat(net.flopsPerSample() - td.flopsPerSample()).isCloseTo(perToken.applyAsDouble(6) - perToken.applyAsDouble(5),
                    org.assertj.core.data.Offset.offset(1e-6));
            assertThatThrownBy(() -> config("model.blockNorm=layernorm")).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("model.blockNorm");
        }
    }

    /**
     * The adaLN-Zero ablation (DiT's modulation in DiMR's Transformer blocks): LayerNorm without affine,
     * a zero-initialised 6D-wide modulation per block from t_embedder(n), so every block starts as the
     * identity and σ reaches the output once the modulation has weights.
     */
    @Test
    void theAdaLnZeroAblationModulatesTheTransformerBlocksFromTheTimeEmbedding() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            DiMR net = (DiMR) NetworkAssembly.build(config("model.blockNorm=adaln"));
            long d0 = 16, h0 = 24, d1 = 8, h1 = 12;
            // QKV 3D², dense D² + D, gated MLP without norm parameters, adaLN_modulation D·6D + 6D
            assertThat(count(net, "stages.0.blocks.0.")).isEqualTo(3 * d0 * d0 + d0 * d0 + d0 + (mlp(d0, h0) - 4 * d0) + 6 * d0 * d0 + 6 * d0);
            assertThat(count(net, "stages.0.t_embedder.")).isEqualTo(256 * d0 + d0 + d0 * d0 + d0);
            assertThat(count(net, "stages.1.blocks.0.")).as("ConvNeXt blocks keep TD-RMSNorm").isEqualTo(9 * d1 + d1 + mlp(d1, h1));
            assertThat(count(net, "stages.1.t_embedder.")).isZero();
            assertThat(net.parameterCount()).isEqualTo(count(net, "stages."));
            Tensor x = input(2, 8, 5);
            Conditioning c = Conditioning.classes(1, 2);
            // at init the gates are 0 and the TD-LNs τ-independent: the output is the same at any σ
            Tensor low = net.forward(x, level(0.01, 0.01), c, Exit.ALL).get(1);
            Tensor high = net.forward(x, level(50, 50), c, Exit.ALL).get(1);
            assertThat(low.sub(high).abs().max().item_double()).isZero();
            Map<String, Tensor> p = new HashMap<>(net.namedParameters());
            String ada = "stages.0.blocks.1.adaLN_modulation.weight";
            p.put(ada, io.github.diffusion4j.engine.Tensors.fromDoubles(
                    new SplittableRandom(3).doubles(6 * d0 * d0).map(v -> v - 0.5).toArray(), 6 * d0, d0).to(ScalarType.Float));
            net.loadParameters(p);
            Tensor low2 = net.forward(x, level(0.01, 0.01), c, Exit.ALL).get(1);
            Tensor high2 = net.forward(x, level(50, 50), c, Exit.ALL).get(1);
            assertThat(low2.sub(high2).abs().max().item_double()).isGreaterThan(1e-5);
            // FLOPs: the t_embedder 2·256·D + 2·D² once and 2·D·6D per block (norms are not counted in any variant)
            DiMR td = (DiMR) NetworkAssembly.build(config());
            assertThat(net.flopsPerSample() - td.flopsPerSample()).isCloseTo(2.0 * 256 * d0 + 2.0 * d0 * d0 + 3 * 2.0 * d0 * 6 * d0,
                    org.assertj.core.data.Offset.offset(1e-6));
        }
    }
}
