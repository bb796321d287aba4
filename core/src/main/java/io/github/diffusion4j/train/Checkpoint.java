package io.github.diffusion4j.train;

import io.github.diffusion4j.assemble.DiffusionAssembly;
import io.github.diffusion4j.assemble.NetworkAssembly;
import io.github.diffusion4j.denoise.AutocastBackbone;
import io.github.diffusion4j.denoise.Backbone;
import io.github.diffusion4j.engine.Precision;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.io.SafetensorsFile;
import io.github.diffusion4j.net.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;

/**
 * A trained model ready to sample: the config stored in a checkpoint's metadata, the network
 * built from it with the EMA weights loaded, and the denoiser around it.
 */
public record Checkpoint(Path file, ExperimentConfig config, Network network, PreconditionedDenoiser denoiser,
        Precision precision) {
    /**
     * Loads {@code path}: an {@code ema-*.safetensors} or {@code state-*.safetensors} file, or a run
     * directory (its newest {@code ema-*.safetensors}).
     */
    public static Checkpoint load(Path path) throws IOException {
        return load(path, null);
    }

    /**
     * Loads {@code path} like {@link #load(Path)}, sampling at {@code precision} ({@code auto | fp32 | bf16},
     * see {@link Precision}; {@code null}: the config's {@code training.precision}, or {@code bf16} when its
     * older {@code training.bf16} is true). Under bf16 the backbone runs in {@link AutocastBackbone}.
     */
    public static Checkpoint load(Path path, String precision) throws IOException {
        Path file = Files.isDirectory(path) ? newestEma(path) : path;
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
            String yaml = f.metadata().get("config");
            if (yaml == null) {
                throw new io.github.diffusion4j.io.InputException(file + ": no 'config' in the metadata; not a diffusion4j checkpoint");
            }
            ExperimentConfig cfg = ConfigLoader.parse(yaml, file);
            Network net = NetworkAssembly.build(cfg);
            String prefix = f.metadata().containsKey("format") ? "ema." : "";
            net.loadParameters(TrainState.section(f, file, prefix, net.namedParameters()));
            net.train(false);
            DiffusionAssembly setup = DiffusionAssembly.of(cfg.onlyStage());
            Precision p = precision == null ? Precision.of(cfg.training().bf16(), cfg.training().precision())
                    : Precision.of(false, precision);
            Backbone backbone = p.bf16() ? new AutocastBackbone(net) : net;
            return new Checkpoint(file, cfg, net, new PreconditionedDenoiser(backbone, setup.preconditioning(),
                    setup.parametrisation()), p);
        }
    }

    /** The newest {@code ema-*.safetensors} of run directory {@code dir}. */
    public static Path newestEma(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("ema-\\d+\\.safetensors"))
                    .max(Comparator.comparing(p -> p.getFileName().toString()))
                    .orElseThrow(() -> new io.github.diffusion4j.io.InputException(dir + ": no ema-*.safetensors checkpoint in this directory"));
        }
    }
}
