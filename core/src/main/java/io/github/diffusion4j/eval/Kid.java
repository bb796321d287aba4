package io.github.diffusion4j.eval;

/**
 * Kernel Inception Distance (Bińkowski et al. 2018, Sec. 4; MMD²_u of Gretton et al. 2012, Lemma 6): the mean and
 * population standard deviation ({@code numpy.std}, as torch-fidelity reports) of the unbiased MMD²
 * over {@code subsets} random subsets of {@code subsetSize} rows from each set.
 */
public record Kid(double mean, double std, int subsets, int subsetSize) {}
