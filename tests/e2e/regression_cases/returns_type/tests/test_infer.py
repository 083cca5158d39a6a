from schema.infer import column_types


def test_each_column_gets_its_type():
    columns = {"id": [1, 2], "paid": [True, False], "price": [1.5, 2], "note": [None]}
    assert column_types(columns) == {"id": "int", "paid": "bool", "price": "float", "note": "NoneType"}
