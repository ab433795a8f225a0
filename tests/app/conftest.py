"""The app tests' client: the session's suite app through gradio_client (a file that starts its own app with other
options defines its own ``client``)."""

import pytest


@pytest.fixture
def client(suite_client):
    return suite_client
