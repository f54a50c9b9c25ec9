"""The practice engine: scenario model, parsing, checks and evaluation.

Pure Python on purpose: nothing here imports XBlock or Django, so the rules that decide what a
learner did right are tested on their own and reused by the command-line tools.
"""
