package io.github.diffusion4j.cli;

import io.github.diffusion4j.cascade.StageMetadata;
import io.github.diffusion4j.io.SafetensorsFile;
import io.github.diffusion4j.train.Checkpoint;
import io.github.diffusion4j.io.TensorEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code d4j info}: the tensors, dtypes, shapes and metadata of a safetensors file or a run's latest checkpoint. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "List the tensors, dtypes, shapes and metadata of a safetensors file (or of a run directory's latest ema-*.safetensors).")
final class InfoCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|RUN_DIR", description = "A .safetensors file or a run directory.")
    Path target;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Path file = resolve(target);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            List<Map<String, Object>> tensors = new ArrayList<>();
            long elements = 0;
            for (TensorEntry e : st.tensors()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", e.name());
                row.put("dtype", e.dtype().name());
                row.put("shape", e.shape());
                row.put("bytes", e.byteLength());
                tensors.add(row);
                elements += e.numel();
            }
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("file", file.toString());
                out.put("tensors", tensors);
                out.put("elements", elements);
                out.put("metadata", st.metadata());
                Map<String, String> stage = stage(st.metadata());
                if (!stage.isEmpty()) {
                    out.put("stage", stage);
                }
                Json.print(out);
            } else {
                System.out.printf("%s: %d tensors, %,d elements%n", file, tensors.size(), elements);
                for (TensorEntry e : st.tensors()) {
                    System.out.printf("  %-48s %-5s %s%n", Text.escape(e.name()), e.dtype(), Arrays.toString(e.shape()));
                }
                Map<String, String> stage = stage(st.metadata());
                if (!stage.isEmpty()) {
                    System.out.println("cascade stage:");
                    stage.forEach((k, v) -> System.out.printf("  %s: %s%n", k, Text.escape(v)));
                }
                if (!st.metadata().isEmpty()) {
                    System.out.println("metadata:");
                    st.metadata().forEach((k, v) -> System.out.printf("  %s: %s%n", Text.escape(k), Text.escape(v)));
                }
            }
        }
        return 0;
    }

    /** The cascade-stage summary of a checkpoint's metadata (index, coupling, augmentation, trained range); empty for a plain run. */
    static Map<String, String> stage(Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        if (m.containsKey(StageMetadata.STAGE)) {
            String of = "";
            try {
                of = " of " + io.github.diffusion4j.config.ConfigLoader.parse(m.get(StageMetadata.CASCADE)).stages().size();
            } catch (RuntimeException e) {
                of = " (cascade config unreadable: " + e.getMessage() + ")";
            }
            out.put("stage", m.get(StageMetadata.STAGE) + of);
        }
        if (m.containsKey(StageMetadata.COUPLING)) {
            out.put("coupling", m.get(StageMetadata.COUPLING)
                    + (m.containsKey(StageMetadata.LOW_RESOLUTION) ? " from " + m.get(StageMetadata.LOW_RESOLUTION) + " px" : ""));
        }
        if (m.containsKey(StageMetadata.AUGMENTATION)) {
            out.put("augmentation", m.get(StageMetadata.AUGMENTATION));
        }
        if (m.containsKey(StageMetadata.RELAY)) {
            out.put("relay", m.get(StageMetadata.RELAY));
        }
        if (m.containsKey(StageMetadata.RANGE)) {
            out.put("trained levels", m.get(StageMetadata.RANGE));
        }
        return out;
    }

    /** A file as given, or the newest {@code ema-*.safetensors} of a run directory. */
    static Path resolve(Path target) throws IOException {
        if (!Files.exists(target)) {
            throw new UserException(target + ": no such file or directory");
        }
        Path file = Files.isDirectory(target) ? Checkpoint.newestEma(target) : target;
        if (!Files.isRegularFile(file)) { // a FIFO or device would block or never end
            throw new UserException(file + ": not a regular file");
        }
        return file;
    }
}
