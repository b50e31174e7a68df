"""The launched app answers gradio_client and lists every tab's endpoints."""


def test_client_sees_the_api(client):
    info = client.view_api(print_info=False, return_format="dict")
    assert "named_endpoints" in info
