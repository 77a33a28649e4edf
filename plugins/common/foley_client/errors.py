"""What can go wrong talking to the server, each with a message an editor can show as it is."""


class FoleyClientError(Exception):
    """Base: `str(error)` says what happened and what to do."""


class ServerUnavailable(FoleyClientError):
    """Nothing answers at the server address."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"Foley server not running at {url} ({reason}); start it with `foley serve` "
                         "(or the plugin's Start server button) and try again")
        self.url = url


class AuthRequired(FoleyClientError):
    """The server wants a token and ours is missing or wrong."""

    def __init__(self, url: str, token_file: str) -> None:
        super().__init__(f"the Foley server at {url} refused our token; copy the token from {token_file} "
                         "on the server machine into the plugin's settings")


class RequestRefused(FoleyClientError):
    """The server answered 4xx: the request itself needs changing."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"the Foley server refused the request ({status}): {message}")
        self.status = status
        self.reason = message


class JobFailed(FoleyClientError):
    """The job ended without Foley for any clip."""

    def __init__(self, job_id: str, message: str) -> None:
        super().__init__(f"Foley job {job_id} failed: {message}")
        self.job_id = job_id


class JobCancelled(FoleyClientError):
    """The job was cancelled (by this plugin or another client)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"Foley job {job_id} was cancelled")
        self.job_id = job_id
