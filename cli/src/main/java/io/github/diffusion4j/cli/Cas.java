package io.github.diffusion4j.cli;

import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.eval.Evaluator;
import io.github.diffusion4j.eval.features.ClassifierTraining;
import io.github.diffusion4j.eval.features.SmallClassifier;

/**
 * Classification accuracy score (Ravuri &amp; Vinyals 2019): the project's v1 classifier recipe,
 * trained from scratch on the generated images with their requested labels, tested on real data.
 * Only for 1×28×28 data (the v1 architecture).
 */
final class Cas {
    private Cas() {}

    static Evaluator.CasScorer scorer(ImageDataset reference) {
        return (generated, real) -> {
            if (generated.channels() != 1 || generated.height() != 28) {
                throw new UserException("cas needs 1x28x28 images (the v1 classifier); got " + generated.channels() + "x"
                        + generated.height() + "x" + generated.width());
            }
            try (SmallClassifier net = new SmallClassifier("cas", SmallClassifier.V1, 1)) {
                var recipe = ClassifierTraining.Recipe.v1("mnist").with("seed", "1");
                return ClassifierTraining.train(net, generated, reference, recipe, line -> {}).testAccuracy();
            }
        };
    }
}
