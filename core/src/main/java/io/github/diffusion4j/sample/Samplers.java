package io.github.diffusion4j.sample;

import java.util.List;

/** The samplers by the names the CLI and configs use. */
public final class Samplers {
    private Samplers() {}

    /** Names accepted by {@link #byName}. */
    public static final List<String> NAMES = List.of("heun", "euler", "ddim", "euler_a", "dpmpp_2m");

    /** The sampler called {@code name}; {@code churn} applies to heun and euler. */
    public static Sampler byName(String name, Churn churn) {
        return switch (name) {
            case "heun" -> new EdmSampler(true, churn);
            case "euler" -> new EdmSampler(false, churn);
            case "ddim" -> AncestralSampler.ddim();
            case "euler_a" -> AncestralSampler.eulerAncestral();
            case "dpmpp_2m" -> new DpmSolverPlusPlus2M();
            default -> throw new IllegalArgumentException(
                    "unknown sampler '" + name + "' (expected one of " + String.join(", ", NAMES) + ")");
        };
    }
}
