package io.github.diffusion4j.train;

import io.github.diffusion4j.io.SafetensorsFile;
import io.github.diffusion4j.io.TensorEntry;
import io.github.diffusion4j.io.TensorFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Everything resume needs, as one safetensors file: weights ({@code net.}), EMA ({@code ema.}),
 * AdamW moments ({@code adam.m.}, {@code adam.v.}) and, in the metadata, the step, images seen,
 * AdamW's step count and the resolved config. Randomness is keyed by (seed, step), so the step
 * is the whole RNG and data-order state.
 */
public record TrainState(long step, long imagesSeen, long adamSteps, String configYaml) {
    static final String FORMAT = "diffusion4j-train-state-1";

    /** Writes the state (temporary file, then atomic rename). */
    public void save(Path file, Map<String, Tensor> net, Map<String, Tensor> ema, AdamW adam) throws IOException {
        save(file, net, ema, adam, Map.of());
    }

    /** Writes the state with {@code extra} metadata (a cascade stage's, {@code cascade.StageMetadata}). */
    public void save(Path file, Map<String, Tensor> net, Map<String, Tensor> ema, AdamW adam, Map<String, String> extra)
            throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        net.forEach((k, v) -> all.put("net." + k, v));
        ema.forEach((k, v) -> all.put("ema." + k, v));
        adam.firstMoments().forEach((k, v) -> all.put("adam.m." + k, v));
        adam.secondMoments().forEach((k, v) -> all.put("adam.v." + k, v));
        Map<String, String> meta = new LinkedHashMap<>(extra);
        meta.putAll(Map.of("format", FORMAT, "step", Long.toString(step),
                "imagesSeen", Long.toString(imagesSeen), "adamSteps", Long.toString(adamSteps), "config", configYaml));
        TensorFiles.write(file, all, meta);
    }

    /** Reads the metadata of a state file. */
    public static TrainState read(SafetensorsFile f) {
        Map<String, String> m = f.metadata();
        if (!FORMAT.equals(m.get("format"))) {
            throw new io.github.diffusion4j.io.InputException(f + ": not a diffusion4j training state (format '" + m.get("format") + "')");
        }
        try {
            return new TrainState(Long.parseLong(m.get("step")), Long.parseLong(m.get("imagesSeen")),
                    Long.parseLong(m.get("adamSteps")), m.get("config"));
        } catch (NumberFormatException e) {
            throw new io.github.diffusion4j.io.InputException(f + ": training state metadata step, imagesSeen and adamSteps must be integers");
        }
    }

    /**
     * Copies the tensors under {@code prefix} into {@code targets}; any missing, unexpected or
     * mis-shaped tensor is an error naming it.
     */
    public static Map<String, Tensor> section(SafetensorsFile f, Path file, String prefix, Map<String, Tensor> targets)
            throws IOException {
        Map<String, Tensor> out = new HashMap<>();
        for (Map.Entry<String, Tensor> t : targets.entrySet()) {
            String name = prefix + t.getKey();
            TensorEntry e;
            try {
                e = f.entry(name);
            } catch (IllegalArgumentException missing) {
                throw new io.github.diffusion4j.io.InputException(file.getFileName() + " does not match the config: it has no tensor '" + name + "'");
            }
            if (!Arrays.equals(e.shape(), t.getValue().shape())) {
                throw new io.github.diffusion4j.io.InputException(file.getFileName() + " does not match the config: tensor '" + name + "' is "
                        + Arrays.toString(e.shape()) + " but the model has " + Arrays.toString(t.getValue().shape()));
            }
            io.github.diffusion4j.io.DType want = TensorFiles.dtypeOf(t.getValue().scalar_type());
            if (e.dtype() != want) {
                throw new io.github.diffusion4j.io.InputException(file.getFileName() + " does not match the config: tensor '" + name
                        + "' is " + e.dtype() + " but the model's is " + want);
            }
            out.put(t.getKey(), TensorFiles.read(f, name));
        }
        long extra = f.tensors().stream().filter(e -> e.name().startsWith(prefix))
                .filter(e -> !targets.containsKey(e.name().substring(prefix.length()))).count();
        if (extra > 0) {
            String first = f.tensors().stream().map(TensorEntry::name).filter(n -> n.startsWith(prefix))
                    .filter(n -> !targets.containsKey(n.substring(prefix.length()))).findFirst().orElseThrow();
            throw new io.github.diffusion4j.io.InputException(file.getFileName() + " does not match the config: unexpected tensor '" + first + "'");
        }
        return out;
    }
}
