package io.github.diffusion4j.sample;

import java.util.List;

/** The samplers' names in configs and on the command line; {@code assemble.SamplerAssembly} builds them. */
public final class Samplers {
    private Samplers() {}

    /** The names {@code assemble.SamplerAssembly.sampler} accepts. */
    public static final List<String> NAMES = List.of("heun", "euler", "ddim", "ddim_clip", "euler_a", "dpmpp_2m");
}
