"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's backend builds a new `redis.Redis` for every cache operation. With redis-py 8 that
builds its table of response callbacks each time, which measured longer than the round trip
to Redis itself; the anonymous API throttle pays it twice a request (read and write its
history). A `redis.Redis` is safe to share between threads (it takes a connection from its
pool per command), so one per pool serves the whole process.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))  # pools live as long as this client: ids stay theirs
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
