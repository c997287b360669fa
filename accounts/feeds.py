"""A user's Atom feed: their public, signed summaries (an anonymous summary never names its author)."""

from django.http import Http404

from shortscience.params import text_param
from summaries.feeds import AtomFeed

from .models import User


class UserAtom(AtomFeed):
    def get_object(self, request, *args, **kwargs):
        name = text_param(request.GET, "name", max_length=150, status=404)
        person = User.objects.profile_named(name)
        if person is None:
            raise Http404(f"There is no user called “{name}”.")
        return person

    def title(self, obj):
        return f"ShortScience: summaries by {obj.public_name}"

    def link(self, obj):
        return self._absolute(obj.get_absolute_url())

    def latest(self, obj):
        return super().latest(obj).filter(author=obj, is_anonymous=False)
