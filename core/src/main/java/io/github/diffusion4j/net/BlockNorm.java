package io.github.diffusion4j.net;

/**
 * How time enters a backbone's Transformer blocks (Liu et al. 2024, Sec. 3.3 and Table 4): the
 * {@code model.blockNorm} of DiMR ({@code td | adaln | token}), DiT and LEGO ({@code adaln | td}).
 */
public enum BlockNorm {
    /** Time-dependent norms at τ (TD-LN; TD-RMSNorm in DiMR's blocks, TD-LayerNorm in DiT's), DiMR's. */
    TD,
    /**
     * DiT's adaLN-Zero (Peebles and Xie 2023, Sec. 3.2): LayerNorm without affine, shift/scale/gate from
     * a per-block zero-initialised linear map of the conditioning.
     */
    ADALN,
    /** Plain LayerNorm and the time as an extra token (U-ViT's sinusoidal embedding of the step n, Bao et al. 2023); DiMR only. */
    TOKEN;

    /** The config spelling: {@code td | adaln | token}. */
    public static BlockNorm of(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
