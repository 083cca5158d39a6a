from versions import Version


def test_a_release_is_no_prerelease():
    assert not Version("1.2").is_prerelease


def test_a_beta_is_a_prerelease():
    assert Version("1.2-b1").is_prerelease


def test_a_development_version_is_a_prerelease():
    assert Version("1.2-dev3").is_prerelease


def test_the_release_numbers():
    assert Version("1.2.3").release == (1, 2, 3)
