package io.github.diffusion4j.cli.bench;

import picocli.CommandLine.Command;

/** {@code d4j bench}: throughput figures, reported and never asserted. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure engine and model throughput (results go to docs/results.md).",
        subcommands = {OpsBench.class, TrainBench.class, StepBench.class})
public final class BenchCommand {}
