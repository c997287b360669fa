"""Issue 10 finding 6: usernames like anon-4 shared anonymous summaries' anchors, and fullwidth ａｌｉｃｅ and
Cyrillic аlice were accepted beside alice."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.adapters import AccountAdapter
from accounts.models import User
from accounts.usernames import username_fold
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-123"


def sign_up(client, username):
    data = {"username": username, "email": f"new{abs(hash(username))}@example.org"}
    return client.post("/accounts/signup/", {**data, "password1": PASSWORD, "password2": PASSWORD})


@pytest.mark.parametrize(
    "same",
    [("alice", "Alice"), ("alice", "ALICE"), ("alice", "ａｌｉｃｅ"), ("alice", "аlice"), ("alice", "aIice"),
     ("alice", "a1ice"), ("bob", "b0b"), ("Ian", "lan"), ("x-y", "x‐y")],
)  # fmt: skip
def test_fold_makes_case_and_look_alikes_one_name(same):
    assert username_fold(same[0]) == username_fold(same[1])


@pytest.mark.parametrize("different", [("alice", "alicia"), ("rn", "m"), ("a_b", "a-b"), ("user1", "user11")])
def test_fold_keeps_different_names_apart(different):
    assert username_fold(different[0]) != username_fold(different[1])


@pytest.mark.parametrize(
    "username", ["anon-4", "Anon-x", "ANON-", "ａｌｉｃｅ", "аlice", "élodie", "al ice", "alice@home", "a.b", "a+b", ""]
)
def test_sign_up_refuses_names_against_the_rules(client, username):
    response = sign_up(client, username)
    assert response.status_code == 200 and response.context["form"].errors["username"]
    assert not User.objects.filter(email__startswith="new").exists()


@pytest.mark.parametrize("username", ["ALICE", "Alice", "aIice", "a1ice", "ａｌｉｃｅ", "аlice"])
def test_sign_up_refuses_a_name_like_a_taken_one(client, username):
    UserFactory(username="alice")
    response = sign_up(client, username)
    assert response.status_code == 200 and response.context["form"].errors["username"]
    assert User.objects.count() == 1


def test_sign_up_takes_a_name_within_the_rules(client):
    UserFactory(username="alice")
    response = sign_up(client, "Alice_2-b")
    assert response.status_code == 302
    assert User.objects.get(username="Alice_2-b").username_folded == "aiice_2-b"


def test_sign_up_message_says_which_name_it_is_like(client):
    UserFactory(username="alice")
    assert "too like “alice”" in sign_up(client, "aIice").content.decode()


def test_the_database_refuses_two_accounts_with_one_folded_name():
    UserFactory(username="alice")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ALICE")  # no validation on this path: the unique index holds


def test_a_sign_up_that_loses_a_race_for_its_name_is_asked_again(client, monkeypatch):
    real_save_user = AccountAdapter.save_user

    def rival_first(self, request, user, form, commit=True):
        User.objects.create(username="ALICE", email="rival@example.org")  # signed up between check and insert
        return real_save_user(self, request, user, form, commit)

    monkeypatch.setattr(AccountAdapter, "save_user", rival_first)
    response = sign_up(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/"
    assert "was taken a moment ago" in client.get("/accounts/signup/").content.decode()
    assert not User.objects.filter(username="alice").exists()


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="moderator", is_staff=True, is_superuser=True))
    return client


def admin_add(client, username):
    data = {"username": username, "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/admin/accounts/user/add/", data)


@pytest.mark.parametrize("username", ["anon-7", "аlice", "ａｌｉｃｅ", "Alice", "a1ice"])
def test_admin_add_form_refuses_names_against_the_rules_or_taken(staff_client, username):
    UserFactory(username="alice")
    response = admin_add(staff_client, username)
    assert response.status_code == 200 and response.context["adminform"].form.errors["username"]


def test_admin_add_form_takes_a_name_within_the_rules(staff_client):
    assert admin_add(staff_client, "carol").status_code == 302
    assert User.objects.get(username="carol").username_folded == "caroi"


def admin_rename(client, user, username):
    data = {
        "username": username, "email": user.email, "is_active": "on", "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00", "display_name": "", "bio": "", "orcid": "", "email_on_comment": "on",
    }  # fmt: skip
    return client.post(f"/admin/accounts/user/{user.pk}/change/", data)


def test_admin_rename_is_checked_like_a_sign_up(staff_client):
    UserFactory(username="alice")
    bob = UserFactory(username="bob")
    for taken_or_invalid in ("ALICE", "aIice", "anon-1", "bоb-2"):  # the last with a Cyrillic о
        response = admin_rename(staff_client, bob, taken_or_invalid)
        assert response.status_code == 200 and response.context["adminform"].form.errors["username"]
    assert admin_rename(staff_client, bob, "Bob-2").status_code == 302
    bob.refresh_from_db()
    assert (bob.username, bob.username_folded) == ("Bob-2", "bob-2")


def test_a_rename_elsewhere_keeps_the_folded_name():
    user = UserFactory(username="dora")
    user.username = "Dora-B"
    user.save(update_fields=["username"])
    assert User.objects.get(pk=user.pk).username_folded == "dora-b"


def test_an_older_account_whose_name_clashes_logs_in_and_saves_its_settings(client):
    UserFactory(username="alice")
    (older,) = User.objects.bulk_create([User(username="ALICE", email="old@example.org")])  # as before the rule
    older = User.objects.get(pk=older.pk)
    older.set_password(PASSWORD)
    older.save()
    older.refresh_from_db()
    EmailAddress.objects.create(user=older, email=older.email, primary=True, verified=True)  # confirmed back then
    assert older.username_folded is None
    response = client.post("/accounts/login/", {"login": "old@example.org", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(older.pk)
    assert client.post("/settings", {"display_name": "Old Alice", "bio": "", "orcid": ""}).status_code == 302
    older.refresh_from_db()
    assert (older.display_name, older.username_folded) == ("Old Alice", None)


# --- The migration that brought the rules in --------------------------------------------------------------------

LEGACY = ["alice", "ALICE", "аlice", "anon-4", "bob", "ａｌｉｃｅ2", "x"]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("accounts", target)])
    return executor.loader.project_state([("accounts", target)]).apps


def test_migration_reports_clashing_and_invalid_names_and_renames_none(capsys):
    old_apps = migrate("0002_user_queryset")
    try:
        OldUser = old_apps.get_model("accounts", "User")
        ids = {name: OldUser.objects.create(username=name).pk for name in LEGACY}
        capsys.readouterr()
        migrate("0004_username_folded_unique")
    finally:  # the test database stays migrated whatever happened
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    report = capsys.readouterr().out
    assert f"#{ids['ALICE']} “ALICE” is the same name as #{ids['alice']} “alice”" in report
    assert f"#{ids['аlice']} “аlice” is the same name as #{ids['alice']} “alice”" in report
    assert f"#{ids['anon-4']} “anon-4”: A username may not start with “anon-”" in report
    assert f"#{ids['аlice']} “аlice”: A username may hold only" in report
    assert f"#{ids['ａｌｉｃｅ2']} “ａｌｉｃｅ2”: A username may hold only" in report
    assert "usernames_check --assign" in report
    assert "“bob”" not in report and "“x”" not in report
    folded = dict(User.objects.values_list("username", "username_folded"))
    assert sorted(folded) == sorted(LEGACY)  # nobody renamed
    assert folded["alice"] == "aiice" and folded["ALICE"] is None and folded["аlice"] is None
    assert folded["anon-4"] == "anon-4" and folded["ａｌｉｃｅ2"] == "aiice2"

    # The fix: rename in the admin (any checked rename), then --assign gives freed names to the clashing accounts.
    alice = User.objects.get(username="alice")
    alice.username = "alice-old"
    alice.save()
    call_command("usernames_check", "--assign")
    assert User.objects.get(username="ALICE").username_folded == "aiice"
    clash = f"#{ids['аlice']} “аlice” is the same name as #{ids['ALICE']} “ALICE”"
    assert clash in capsys.readouterr().out


def test_usernames_check_says_all_is_well(capsys):
    UserFactory(username="alice")
    call_command("usernames_check")
    assert "All 1 usernames follow the rules, one each." in capsys.readouterr().out
