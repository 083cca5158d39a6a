"""The claude agent: a tool-using repair loop on the Anthropic Messages API, with hard budgets.

The only package that imports `anthropic`; loaded only when the claude agent runs.
"""
