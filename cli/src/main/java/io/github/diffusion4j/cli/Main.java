package io.github.diffusion4j.cli;

import io.github.diffusion4j.cli.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code d4j} command line: one subcommand per verb of product.md. */
@Command(name = "d4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train, sample and evaluate image diffusion models on the JVM.",
        subcommands = {DemoCommand.class, TrainCommand.class, SampleCommand.class, EvalCommand.class, ExperimentCommand.class, InfoCommand.class, DataCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces for errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 ok, 2 user error, 1 internal error). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new Errors());
        cli.setParameterExceptionHandler((ex, a) -> {
            System.err.println("d4j: " + ex.getMessage());
            return Errors.USER_ERROR;
        });
        return cli.execute(args);
    }

    /** Reports the project version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"diffusion4j " + (v == null ? "development build" : v)};
        }
    }
}
