package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The tests run under the launcher's JavaCPP flags, so what the tests exercise is what users run. */
class LauncherFlagsTest {
    @Test
    void testJvmHasEveryJavacppFlagOfTheLauncher() throws Exception {
        var flags = LauncherFlags.javacpp();
        assertThat(flags).as("flags in d4j").isNotEmpty();
        for (String flag : flags) {
            String[] kv = flag.substring(2).split("=", 2);
            assertThat(System.getProperty(kv[0])).as(kv[0]).isEqualTo(kv[1]);
        }
        assertThat(System.getProperty("org.bytedeco.javacpp.nopointergc")).as("nopointergc (absent from d4j)").isNull();
    }
}
