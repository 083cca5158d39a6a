from .rectangle import Rectangle

__all__ = ["Rectangle"]
