package io.github.diffusion4j.denoise;

/**
 * One output of a backbone: its role (what a parametrisation reads it as), its channel count and
 * its resolution as a downsampling factor of the input (1 = the input's resolution; 2 = half,
 * as DiMR's lower branches, Liu et al. 2024, Sec. 3.2).
 */
public record HeadSpec(String role, int channels, int downsample) {
    public HeadSpec {
        if (role == null || role.isBlank() || channels <= 0 || downsample <= 0) {
            throw new IllegalArgumentException("bad head spec: role " + role + ", channels " + channels + ", downsample " + downsample);
        }
    }

    /** The single full-resolution output of a classic backbone. */
    public static HeadSpec output(int channels) {
        return new HeadSpec("output", channels, 1);
    }
}
