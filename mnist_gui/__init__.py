"""mnist-gui: watch a from-scratch NumPy multilayer perceptron learn MNIST."""

__version__ = "0.1.0"
