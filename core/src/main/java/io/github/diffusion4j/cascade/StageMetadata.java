package io.github.diffusion4j.cascade;

import io.github.diffusion4j.config.AugmentationConfig;
import io.github.diffusion4j.config.CouplingConfig;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.io.InputException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a cascade stage's checkpoint records besides its own config (methods.md §4.4: "store s and
 * whether truncated with every SR checkpoint"): the whole cascade's config, the stage index, the
 * coupling, its augmentation and the range of levels trained on, as safetensors metadata.
 */
public final class StageMetadata {
    /** The full cascade config (YAML). */
    public static final String CASCADE = "cascade.config";
    /** The index of the stage in it. */
    public static final String STAGE = "cascade.stage";
    /** The coupling type ({@code none}, {@code sr}, {@code relay}). */
    public static final String COUPLING = "coupling";
    /** The augmentation type ({@code none}, {@code gaussian}, {@code blur}). */
    public static final String AUGMENTATION = "coupling.augmentation";
    /** The levels trained on, "[lo, hi]" (σ_aug in the stage's noise units). */
    public static final String RANGE = "coupling.augmentationRange";
    /** A relay stage's sampling settings. */
    public static final String RELAY = "coupling.relay";
    /** The resolution of the conditioning image. */
    public static final String LOW_RESOLUTION = "coupling.lowResolution";

    private StageMetadata() {}

    /**
     * The metadata of stage {@code stage} of {@code cascadeYaml} trained as {@code stageRun} (the
     * cascade entries only when {@code cascadeYaml} is non-null); empty for an uncoupled one-stage run.
     */
    public static Map<String, String> of(ExperimentConfig stageRun, String cascadeYaml, int stage) {
        Map<String, String> m = new LinkedHashMap<>();
        if (cascadeYaml != null) {
            m.put(CASCADE, cascadeYaml);
            m.put(STAGE, Integer.toString(stage));
        }
        CouplingConfig c = stageRun.onlyStage().coupling();
        if (c instanceof CouplingConfig.SuperResolution sr) {
            m.put(COUPLING, c.type());
            m.put(LOW_RESOLUTION, Integer.toString(sr.lowResolution()));
            m.put(AUGMENTATION, augmentation(sr.augmentation()));
            m.put(RANGE, "[0, " + sr.augmentation().maxLevel() + "]");
        } else if (c instanceof CouplingConfig.Relay r) {
            m.put(COUPLING, c.type());
            m.put(LOW_RESOLUTION, Integer.toString(r.lowResolution()));
            m.put(RELAY, "truncation sigma " + r.truncationSigma() + ", truncation_t " + r.truncationT() + ", s " + r.sNoise()
                    + ", s_block " + r.sBlock());
        } else if (cascadeYaml != null) {
            m.put(COUPLING, c.type());
        }
        return m;
    }

    /** The augmentation as shown: its type and parameters. */
    static String augmentation(AugmentationConfig a) {
        if (a instanceof AugmentationConfig.Gaussian g) {
            return "gaussian (sigma_aug ~ U[0, " + g.max() + "], given to the network)";
        }
        if (a instanceof AugmentationConfig.Blur b) {
            return "blur (" + b.fraction() + " of the examples, 3x3 Gaussian, sigma ~ U" + b.sigma() + "; none at sampling)";
        }
        return a.type();
    }

    /** The cascade entries of a checkpoint's metadata, for resuming the run with them; empty if it is no cascade stage. */
    public static Map<String, String> cascadeEntries(Map<String, String> metadata) {
        Map<String, String> m = new LinkedHashMap<>();
        if (metadata.containsKey(CASCADE)) {
            m.put(CASCADE, metadata.get(CASCADE));
            String stage = metadata.get(STAGE);
            try {
                Integer.parseInt(stage == null ? "" : stage);
            } catch (NumberFormatException e) {
                throw new InputException("metadata '" + STAGE + "' must be an integer, got '" + stage + "'");
            }
            m.put(STAGE, stage);
        }
        return m;
    }
}
