package io.github.diffusion4j.train;

import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.data.DataCache;
import io.github.diffusion4j.data.Datasets;
import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.eval.Evaluator;
import io.github.diffusion4j.eval.features.FeatureNetwork;
import io.github.diffusion4j.eval.features.FeatureNetworks;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.SampleSource;
import java.util.EnumSet;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * FD, KID and label accuracy of the EMA model at a checkpoint ({@code evaluation.n} samples,
 * seeds 0..n−1, labelled by the one rule {@link SampleSource#labelOf(long, int)}, as {@code d4j eval}
 * labels them) against the reference data, for stats.jsonl.
 */
final class CheckpointEvaluation implements AutoCloseable {
    private final ExperimentConfig cfg;
    private final FeatureNetwork net;
    private final Evaluator.Measured real;
    private final ImageDataset reference;

    private CheckpointEvaluation(ExperimentConfig cfg, FeatureNetwork net, ImageDataset reference) {
        this.cfg = cfg;
        this.net = net;
        this.reference = reference;
        this.real = Evaluator.ofDataset(net, reference, Math.min(cfg.evaluation().n(), reference.size()), 0);
    }

    /** The evaluation a config asks for, or {@code null} when {@code evaluation.n} is 0. */
    static CheckpointEvaluation from(ExperimentConfig cfg) {
        var e = cfg.evaluation();
        if (e.n() == 0) {
            return null;
        }
        String dataset = cfg.data().dataset();
        String base = dataset.contains(":") ? dataset.substring(0, dataset.indexOf(':')) : dataset;
        String ref = !e.reference().isBlank() ? e.reference() : Datasets.testSplitOf(dataset);
        String features = !e.features().isBlank() ? e.features() : base + "-v1";
        if (!FeatureNetworks.names().contains(features)) {
            throw new io.github.diffusion4j.io.InputException("config key 'evaluation.features': no feature network '" + features + "' (known: "
                    + String.join(", ", FeatureNetworks.names()) + ")");
        }
        FeatureNetwork net = FeatureNetworks.load(features);
        if ((net.inputResolution() != cfg.data().resolution() && !net.resizesInput()) || net.inputChannels() != cfg.data().channels()) {
            net.close();
            throw new io.github.diffusion4j.io.InputException("config key 'evaluation.features': " + features + " takes " + net.inputChannels() + "x"
                    + net.inputResolution() + " images but the model makes " + cfg.data().channels() + "x" + cfg.data().resolution());
        }
        try {
            ImageDataset reference = Datasets.resolve(ref, cfg.data().resolution(), cfg.data().channels() == 1, DataCache.defaultDir());
            return new CheckpointEvaluation(cfg, net, reference);
        } catch (RuntimeException failed) {
            net.close();
            throw failed;
        }
    }

    /** The metrics of {@code emaDenoiser}'s samples. */
    Map<String, Object> measure(Denoiser emaDenoiser) {
        Generator gen = SamplerAssembly.generator(emaDenoiser, cfg);
        Evaluator.Measured m = Evaluator.ofSamples(net, gen, LongStream.range(0, cfg.evaluation().n()).toArray(),
                cfg.training().batch(), reference.classNames());
        return Evaluator.compare(real, m, EnumSet.of(Evaluator.Metric.FD, Evaluator.Metric.KID, Evaluator.Metric.ACC), null);
    }

    @Override
    public void close() {
        net.close();
    }
}
