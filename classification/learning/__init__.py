"""The learner: features, linear models, evaluation — pure Python and scikit-learn, no Django."""
