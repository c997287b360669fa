import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from papers.importers.records import PaperRecord, Source
from papers.services import paper_upsert
from summaries.services import summary_save


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True  # verified_email writes its own row

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")
    is_confirmed = True  # what they write is public, as for anyone who confirmed their address

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        """A confirmed account has its address verified, as allauth leaves it (log-in needs it)."""
        if create and user.is_confirmed and user.email and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )


def make_paper(**overrides):
    """A paper created through the import service, as real papers are."""
    n = make_paper.counter = getattr(make_paper, "counter", 0) + 1
    fields = {
        "bibtex_key": f"conf/nips/Paper{n}",
        "title": f"A study of things, part {n}",
        "source": Source.DBLP,
        "authors": [f"Author {n}a", f"Author {n}b"],
        "year": 2015,
        "published_in": "NIPS",
    }
    fields.update(overrides)
    paper, _ = paper_upsert(record=PaperRecord(**fields))
    return paper


def make_summary(*, paper=None, author=None, body="A **short** summary with $x_1^2$.", **flags):
    """A summary saved through the service, as the editor saves it."""
    return summary_save(
        paper=paper or make_paper(),
        author=author or UserFactory(),
        body=body,
        is_private=flags.get("is_private", False),
        is_anonymous=flags.get("is_anonymous", False),
        base_version=None,
    )
