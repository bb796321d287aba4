package io.github.diffusion4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The JavaCPP system properties the {@code d4j} launcher passes to the JVM, read from the script itself. */
final class LauncherFlags {
    private LauncherFlags() {}

    static List<String> javacpp() throws Exception {
        Path script = Path.of("..", "d4j");
        if (!Files.isRegularFile(script)) {
            script = Path.of("d4j");
        }
        Matcher m = Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\.[A-Za-z]+=[^\\s\"]+").matcher(Files.readString(script));
        List<String> flags = new ArrayList<>();
        while (m.find()) {
            flags.add(m.group());
        }
        return flags;
    }
}
