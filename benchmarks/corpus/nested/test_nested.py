import copy

from nested import count_leaves, depth, diff, flatten_keys, flatten_list, get_path, merge, unflatten_keys

CONFIG = {
    "name": "shop",
    "db": {"host": "localhost", "port": 5432, "pool": {"min": 1, "max": 10}},
    "servers": [{"host": "a", "port": 80}, {"host": "b", "port": 8080}],
    "features": {},
}


def test_flatten_list():
    assert flatten_list([1, [2, [3, [4]], 5], [], [[6]]]) == [1, 2, 3, 4, 5, 6]
    assert flatten_list([]) == []
    assert flatten_list(["ab", ("t", 1)]) == ["ab", ("t", 1)]


def test_depth_and_leaves():
    assert depth(CONFIG) == 3
    assert depth(7) == 0
    assert depth([]) == 1
    assert count_leaves(CONFIG) == 9
    assert count_leaves([]) == 0


def test_flatten_keys():
    assert flatten_keys(CONFIG) == {
        "name": "shop", "db.host": "localhost", "db.port": 5432, "db.pool.min": 1,
        "db.pool.max": 10, "servers": CONFIG["servers"], "features": {},
    }
    assert flatten_keys({"a": {"b": 1}}, separator="/") == {"a/b": 1}


def test_unflatten_inverts_flatten():
    assert unflatten_keys(flatten_keys(CONFIG)) == CONFIG
    assert unflatten_keys({"a.b": 1, "a.c": 2, "d": 3}) == {"a": {"b": 1, "c": 2}, "d": 3}


def test_merge():
    override = {"db": {"port": 6543, "pool": {"max": 20}}, "debug": True, "name": "shop2"}
    assert merge(CONFIG, override) == {
        "name": "shop2",
        "db": {"host": "localhost", "port": 6543, "pool": {"min": 1, "max": 20}},
        "servers": CONFIG["servers"], "features": {}, "debug": True,
    }
    assert merge({}, {"a": 1}) == {"a": 1}


def test_merge_leaves_its_inputs_alone():
    base = copy.deepcopy(CONFIG)
    override = {"db": {"port": 1}, "features": {"beta": True}}
    merge(base, override)
    assert base == CONFIG
    assert override == {"db": {"port": 1}, "features": {"beta": True}}


def test_get_path():
    assert get_path(CONFIG, "db.pool.max") == 10
    assert get_path(CONFIG, "servers.1.port") == 8080
    assert get_path(CONFIG, "servers.2.port") is None
    assert get_path(CONFIG, "db.user", default="admin") == "admin"
    assert get_path(CONFIG, "name.first", default="?") == "?"


def test_diff():
    new = {"name": "shop", "db": {"host": "db1", "port": 5432, "pool": {"min": 1}},
           "servers": [], "cache": {"ttl": 60}}
    assert diff(CONFIG, new) == [
        "+ cache", "~ db.host: 'localhost' -> 'db1'", "- db.pool.max", "- features",
        "~ servers: [{'host': 'a', 'port': 80}, {'host': 'b', 'port': 8080}] -> []",
    ]
    assert diff(CONFIG, CONFIG) == []
