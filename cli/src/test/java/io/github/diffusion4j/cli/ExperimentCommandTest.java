package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.experiment.VariantResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code d4j experiment run / report} end to end on a tiny image folder: results, resume after a kill, refusal of an edited spec. */
class ExperimentCommandTest {
    @TempDir
    Path dir;

    private Path spec(Path data, String extraVariantSet) throws Exception {
        String yaml = "name: tiny\n"
                + "description: two tiny U-Nets\n"
                + "base: mnist-unet\n"
                + "set: [data.dataset=" + data + ", data.resolution=28, data.channels=1, model.classes=2, model.baseChannels=8,"
                + " \"model.channelMult=[1, 2]\", model.numResBlocks=1, \"model.attentionResolutions=[]\", training.batch=4,"
                + " training.logEvery=1]\n"
                + "budget: {images: 24, checkpoints: 2}\n"
                + "variants:\n"
                + "  - {name: c8}\n"
                + "  - {name: c12, set: [model.baseChannels=12" + extraVariantSet + "]}\n"
                + "evaluation: {n: 8, duringTraining: 4, batch: 4, montage: 3, features: mnist-v1,"
                + " samplers: [{sampler: dpmpp_2m, steps: [2, 3]}]}\n";
        Path f = dir.resolve("tiny.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static VariantResult result(Path out, String variant) throws Exception {
        return Json.MAPPER.readValue(Files.readString(out.resolve("variants").resolve(variant + ".json")), VariantResult.class);
    }

    /** The measured numbers of a result, without the timings and the machine. */
    private static String numbers(VariantResult r) {
        StringBuilder sb = new StringBuilder(r.name() + " " + r.parameters() + " " + r.steps() + " " + r.imagesSeen());
        r.curve().forEach(c -> sb.append(" curve ").append(c.step()).append(':').append(c.fd()).append('/').append(c.kid()));
        r.evaluations().forEach(e -> sb.append(" eval ").append(e.sampler()).append(e.steps()).append(':').append(e.nfe()).append(' ')
                .append(e.fd()).append(' ').append(e.kid()).append(' ').append(e.precision()).append(' ').append(e.recall()));
        return sb.toString();
    }

    @Test
    void runsEveryVariantReportsAndResumesWithoutRetraining() throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        Path specFile = spec(data, "");
        Path a = dir.resolve("a");

        Cli.Result dry = Cli.run("experiment", "run", specFile.toString(), "--out", a.toString(), "--dry-run");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("c8", "c12", "dpmpp_2m-2", "dpmpp_2m-3");
        assertThat(a).doesNotExist();

        Cli.Result run = Cli.run("experiment", "run", specFile.toString(), "--out", a.toString());
        assertThat(run.code()).as(run.err()).isZero();
        for (String f : new String[] {"results.md", "results.json", "fd-vs-images.png", "fd-vs-cost.png", "fd-vs-nfe.png", "montage.png",
                ".gitignore", "spec.yml"}) {
            assertThat(a.resolve(f)).as(f).exists();
        }
        VariantResult c8 = result(a, "c8");
        assertThat(c8.steps()).isEqualTo(6);
        assertThat(c8.imagesSeen()).isEqualTo(24);
        assertThat(c8.evaluations()).extracting(VariantResult.Evaluation::nfe).containsExactly(2, 3);
        assertThat(c8.curve()).extracting(VariantResult.CurvePoint::step).containsExactly(3L, 6L);
        assertThat(result(a, "c12").parameters()).isGreaterThan(c8.parameters());
        String md = Files.readString(a.resolve("results.md"));
        assertThat(md).contains("| c8 |", "| c12 |", "dpmpp_2m, 3 (3)", "No real-versus-real floor");

        // a second run trains and measures nothing again
        Path state = a.resolve("runs/c8/state-000000.safetensors");
        FileTime before = Files.getLastModifiedTime(state);
        Cli.Result again = Cli.run("experiment", "run", specFile.toString(), "--out", a.toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.err()).doesNotContain("training", "evaluating");
        assertThat(Files.getLastModifiedTime(state)).isEqualTo(before);
        assertThat(numbers(result(a, "c8"))).isEqualTo(numbers(c8));

        // a fresh clone has the committed results but not runs/: nothing is retrained or measured again
        deleteTree(a.resolve("runs"));
        Cli.Result clone = Cli.run("experiment", "run", specFile.toString(), "--out", a.toString());
        assertThat(clone.code()).as(clone.err()).isZero();
        assertThat(clone.err()).contains("[1/2 c8] measured already").doesNotContain("training", "evaluating");
        assertThat(a.resolve("runs/c8")).doesNotExist();
        assertThat(numbers(result(a, "c8"))).isEqualTo(numbers(c8));

        // a variant stored before a config key existed (here without model.embedding) is the same config at its default
        Path stored = a.resolve("variants/c8.yml");
        String yml = Files.readString(stored);
        assertThat(yml).contains("  embedding: \"positional\"\n");
        Files.writeString(stored, yml.replace("  embedding: \"positional\"\n", ""));
        Cli.Result older = Cli.run("experiment", "run", specFile.toString(), "--out", a.toString());
        assertThat(older.code()).as(older.err()).isZero();
        assertThat(older.err()).doesNotContain("changed since", "training", "evaluating");

        // the report is rebuilt from disk alone
        Files.delete(a.resolve("results.md"));
        Cli.Result report = Cli.run("experiment", "report", a.toString());
        assertThat(report.code()).as(report.err()).isZero();
        assertThat(Files.readString(a.resolve("results.md"))).isEqualTo(md);

        // what a kill leaves: c8 trained half way (its state at step 3), a repeated and a torn stats row, nothing measured
        Path b = dir.resolve("b");
        Files.createDirectories(b.resolve("runs"));
        Cli.Result half = Cli.run("train", "--config", a.resolve("variants/c8.yml").toString(), "--steps", "3", "--out",
                dir.resolve("half").toString());
        assertThat(half.code()).as(half.err()).isZero();
        Path halfRun;
        try (Stream<Path> runs = Files.list(dir.resolve("half"))) {
            halfRun = runs.findFirst().orElseThrow();
        }
        Files.move(halfRun, b.resolve("runs/c8"));
        Path stats = b.resolve("runs/c8/stats.jsonl");
        String rows = Files.readString(stats);
        Files.writeString(stats, rows.lines().filter(l -> l.contains("\"loss\"")).reduce((x, y) -> y).orElseThrow() + "\n{\"step\": 4, \"lo",
                StandardOpenOption.APPEND);
        Cli.Result resumed = Cli.run("experiment", "run", specFile.toString(), "--out", b.toString());
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("[1/2 c8] resuming at step 3");
        assertThat(numbers(result(b, "c8"))).isEqualTo(numbers(c8));
        assertThat(numbers(result(b, "c12"))).isEqualTo(numbers(result(a, "c12")));

        // results of one config are never mixed with another's under the same variant name
        spec(data, ", training.lr=0.0005");
        Cli.Result edited = Cli.run("experiment", "run", specFile.toString(), "--out", a.toString());
        assertThat(edited.code()).as(edited.err()).isEqualTo(2);
        assertThat(edited.err()).contains("variant 'c12' changed since it was trained").doesNotContain("Exception");
    }

    @Test
    void reportOfADirectoryThatIsNoExperimentIsAUserError() {
        Cli.Result r = Cli.run("experiment", "report", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("not an experiment directory");
    }

    static final String STAGES = """
            name: %s
            data: {dataset: %s, resolution: 8, channels: 3}
            stages:
              - resolution: 4
                model: {type: unet, baseChannels: 8, channelMult: [1], numResBlocks: 1, attentionResolutions: [], classes: 2}
                sampling: {sampler: dpmpp_2m, steps: 3}
              - model: {type: unet, baseChannels: 8, channelMult: [1, 2], numResBlocks: 1, attentionResolutions: [4], classes: 2}
            %s
            training: {batch: 4, logEvery: 1}
            """;

    /**
     * Cascade variants (issues 11, 12): a CDM and a relay 4 → 8 px cascade beside one 8 px model, each stage trained on its
     * share of a gflops budget, the chain measured at each level setting, resumed without retraining or re-measuring.
     */
    @Test
    void cascadeVariantsTrainEveryStageOnItsShareAndMeasureTheChainAtEachLevel() throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        Files.writeString(dir.resolve("cdm.yaml"), STAGES.formatted("cdm", data, """
                    coupling: {type: sr, augmentation: {type: gaussian, max: 0.5}}
                """.stripTrailing()));
        Files.writeString(dir.resolve("relay.yaml"), STAGES.formatted("relay", data, """
                    diffusion: {process: {type: blur, patch: 2}}
                    sampling: {steps: 12}
                    coupling: {type: relay}
                """.stripTrailing()));
        String yaml = "name: chains\n"
                + "budget: {gflops: 0.5, checkpoints: 1}\n"
                + "variants:\n"
                + "  - {name: single, config: cdm.yaml, set: [\"stages=[{model: {type: unet, baseChannels: 8, channelMult: [1, 2],"
                + " numResBlocks: 1, attentionResolutions: [4], classes: 2}}]\"], measure: [[], [sampling.sigmaMax=20]]}\n"
                + "  - {name: cdm, config: cdm.yaml, cascade: {shares: [1, 3], levels: [[0.0], [0.3]], truncated: [false, true]}}\n"
                + "  - {name: relay, config: relay.yaml, cascade: {shares: [1, 3]}}\n"
                + "evaluation: {n: 6, duringTraining: 0, batch: 3, montage: 2, features: emoji-v1,"
                + " samplers: [{sampler: heun, steps: [4, 2]}]}\n";
        Path specFile = Files.writeString(dir.resolve("chains.yaml"), yaml);
        Path a = dir.resolve("a");
        Cli.Result dry = Cli.run("experiment", "run", specFile.toString(), "--out", a.toString(), "--dry-run");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("cdm/stage0", "cdm/stage1", "relay/stage1", "measured at levels [[0.0], [0.3]], truncated [false, true]");

        Cli.Result run = Cli.run("experiment", "run", specFile.toString(), "--out", a.toString());
        assertThat(run.code()).as(run.err()).isZero();
        VariantResult cdm = result(a, "cdm");
        assertThat(cdm.stages()).hasSize(2);
        assertThat(cdm.stages()).extracting(VariantResult.Stage::resolution).containsExactly(4, 8);
        double[] spent = cdm.stages().stream().mapToDouble(st -> st.imagesSeen() * st.trainGflopPerImage()).toArray();
        assertThat(spent[1]).as("stage 1 has three quarters of the 0.5 GFLOP (whole batches)").isBetween(0.375 - 0.1, 0.375 + 0.1);
        // the sweep at the first point (heun 4), the first setting at the others (heun 2)
        assertThat(cdm.evaluations()).extracting(VariantResult.Evaluation::levels).containsExactly(java.util.List.of(0.0),
                java.util.List.of(0.3), java.util.List.of(0.0), java.util.List.of(0.3), java.util.List.of(0.0));
        assertThat(cdm.evaluations()).extracting(VariantResult.Evaluation::truncated).containsExactly(false, false, true, true, false);
        assertThat(cdm.evaluations()).extracting(VariantResult.Evaluation::steps).containsExactly(4, 4, 4, 4, 2);
        assertThat(cdm.evaluations().get(0).fd()).isNotEqualTo(cdm.evaluations().get(1).fd());
        assertThat(cdm.evaluations().get(3).fd()).as("truncated at 0.3 differs from re-noised at 0.3").isNotEqualTo(cdm.evaluations().get(1).fd());
        assertThat(cdm.evaluations().get(2).fd()).as("at level 0 both modes hand on the final sample").isEqualTo(cdm.evaluations().get(0).fd());
        assertThat(cdm.evaluations().get(0).nfe()).as("the last stage's Heun at 4 steps").isEqualTo(7);
        VariantResult relay = result(a, "relay");
        assertThat(relay.evaluations()).hasSize(2).first().satisfies(e -> {
            assertThat(e.levels()).containsExactly(0.9);
            assertThat(e.nfe()).as("the 4-step grid keeps its levels below 0.9").isLessThan(7);
        });
        VariantResult single = result(a, "single");
        assertThat(single.stages()).isEmpty();
        // one model measured with its own sampling and with an override, both at the first point; the other point with its own
        assertThat(single.evaluations()).extracting(VariantResult.Evaluation::measure).containsExactly(null,
                java.util.List.of("sampling.sigmaMax=20"), null);
        assertThat(single.evaluations().get(1).fd()).isNotEqualTo(single.evaluations().get(0).fd());
        assertThat(a.resolve("runs/cdm/stage1")).isDirectory();
        assertThat(run.err()).as("the same base stage trains once").contains("stage 0 is the same run as runs/cdm/stage0");
        assertThat(a.resolve("runs/relay/stage0")).doesNotExist();
        assertThat(result(a, "relay").stages().get(0)).isEqualTo(cdm.stages().get(0));
        String md = Files.readString(a.resolve("results.md"));
        assertThat(md).contains("| setting |", "[0.3]", "[0.3] truncated", "a cascade of 2 stages at 4 → 8 px", "sampling.sigmaMax=20");
        assertThat(a.resolve("variants/relay-samples.png")).exists();
        assertThat(ExperimentReport.sweeps(cdm)).as("one sweep curve per mode at the first point").containsOnlyKeys("heun 4", "heun 4 truncated");
        assertThat(ExperimentReport.sweeps(relay)).as("a single truncation sigma is no sweep").isEmpty();
        assertThat(a.resolve("fd-vs-level.png")).exists();
        assertThat(md).contains("`fd-vs-level.png`");

        Cli.Result again = Cli.run("experiment", "run", specFile.toString(), "--out", a.toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.err()).doesNotContain("training", "evaluating");
        assertThat(numbers(result(a, "cdm"))).isEqualTo(numbers(cdm));

        // a fresh clone (results, no runs/): no stage is retrained, no chain measured again
        deleteTree(a.resolve("runs"));
        Cli.Result clone = Cli.run("experiment", "run", specFile.toString(), "--out", a.toString());
        assertThat(clone.code()).as(clone.err()).isZero();
        assertThat(clone.err()).contains("[2/3 cdm] measured already", "[3/3 relay] measured already").doesNotContain("training", "evaluating");
        assertThat(numbers(result(a, "relay"))).isEqualTo(numbers(relay));
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
