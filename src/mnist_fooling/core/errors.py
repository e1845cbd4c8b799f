"""The one exception type the CLI turns into a single clear line and exit code 2."""


class UserInputError(ValueError):
    """Bad input from the user (config, data, images, arguments): message is shown as is."""
