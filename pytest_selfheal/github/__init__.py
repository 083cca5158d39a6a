"""The GitHub side of CI: workflow commands (annotations), the job summary, the event that
started the workflow, a small REST client, and the review a pull request gets. Run by the
`pytest-selfheal github` command after `pytest --selfheal`, from the files the run left."""
