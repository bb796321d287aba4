package io.github.diffusion4j.denoise;

import java.util.List;

/** The heads a backbone returns, in order (design.md principle 6: a backbone may return several). */
public record BackboneSpec(List<HeadSpec> heads) {
    public BackboneSpec {
        heads = List.copyOf(heads);
        if (heads.isEmpty()) {
            throw new IllegalArgumentException("a backbone has at least one head");
        }
    }

    /** A backbone with one full-resolution output of {@code channels} channels. */
    public static BackboneSpec single(int channels) {
        return new BackboneSpec(List.of(HeadSpec.output(channels)));
    }
}
