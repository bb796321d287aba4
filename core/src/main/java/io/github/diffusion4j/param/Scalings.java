package io.github.diffusion4j.param;

/** The four preconditioning functions at one σ (Karras et al. 2022, Eq. 7 and Table 1). */
public record Scalings(double cSkip, double cOut, double cIn, double cNoise) {}
